"""An end-to-end measure of screening truth on synthetic patients the bot has never seen.

``python -m bench.patients`` makes patients with a full set of true facts (``generate``), judges
them with the criteria engine (``truth``), screens each over the REST channel (``drive``), the
patient answering from a phrase bank of its own (``phrases.yaml``, ``bank``, ``patient``,
``speak*``, ``noise``) and reading the bot's questions (``listen``), then compares the bot's
results with the truth (``score``, ``report``). ``run`` ties them together.
"""
