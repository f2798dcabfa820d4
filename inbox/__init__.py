"""The coordinator handoff inbox: a web app where coordinators take over handed-off chats.

``python -m inbox serve`` runs it; ``python -m inbox create-user NAME --role admin`` makes
the first admin. Pages: ``app``; logins: ``auth``; what the pages show: ``views``; every
label and error: ``messages``.
"""
