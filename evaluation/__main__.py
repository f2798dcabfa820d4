"""``python -m evaluation``: see ``evaluation.evaluate``."""

from evaluation.evaluate import main

raise SystemExit(main())
