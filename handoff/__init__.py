"""The coordinator side of a handoff: settle an answer and resume the bot, over Rasa's HTTP API.

``resume()`` is the documented API the inbox calls; ``python -m handoff`` is the same from a
terminal. See ``handoff/README.md``.
"""
