"""``python -m nlu.evaluate``: kept as an alias of ``python -m evaluation`` (the tooling moved out of ``nlu/``)."""

from __future__ import annotations

if __name__ == "__main__":
    from evaluation.evaluate import main

    raise SystemExit(main())
