"""Custom actions (rasa_sdk), thin: tracker state in, ``criteria`` decides, ``store`` records.

No rule of the trial is written here. Modules by responsibility: ``screening`` (tracker ↔
facts), ``answers`` (reading a free-text answer), ``forms`` (the adaptive screening form),
``outcome`` (the verdict), ``handoff``, ``consent``,
``contact`` and ``conversation`` (why / explain / change / stop / restart). Questions are
domain responses generated from the trial (``bot/gen_domain.py``), asked by Rasa itself.
"""
