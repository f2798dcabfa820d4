"""Custom Rasa NLU components (one per file, each registered with ``DefaultV1Recipe.register``).

``command_guard``: a patient's message is never read as a ``/intent{...}`` command.
The spaCy answer readers join here in the issue "Answer understanding"; they are measured
against the labelled answer corpus (``tests/nlu/corpus``, loaded by ``evaluation.corpus``) with
``python -m evaluation`` (``evaluation/``).
"""
