"""The bot under test, in process or over HTTP: one Protocol, two implementations.

Rule: may import `wire` only of the simulator; `local.py` is the one sim module that builds an
app (`bot.create_app`); never a tool (replay, record, chat, web).
"""
