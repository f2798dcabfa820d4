"""Measuring the answer readers on labelled corpora (kept out of ``nlu/``, which it measures).

``corpus`` loads a corpus directory (format: ``tests/nlu/corpus/README.md``); ``evaluate``
reads each answer as the bot does and prints value accuracy, clear answers wrongly flagged
and ambiguous answers flagged, per answer type. ``python -m evaluation --corpus DIR``.
"""
