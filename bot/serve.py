"""``python -m bot.serve run ...``: Rasa's own command line, with ``bot.speedups`` installed first."""

from __future__ import annotations

from rasa.__main__ import main as rasa_main

from bot import speedups


def main() -> None:
    """Install the speed-ups, then hand over to Rasa's CLI (same arguments as ``rasa``)."""
    speedups.install()
    rasa_main()


if __name__ == "__main__":
    main()
