"""Run the criteria CLI: ``python -m criteria --help``."""

from criteria.cli import main

raise SystemExit(main())
