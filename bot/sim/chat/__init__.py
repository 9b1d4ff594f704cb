"""The terminal REPL that talks to the bot as one follower.

Rule: may import `wire`, `mockplatform`, `targets` and the bot's parts via `bot.parts`; never
another tool (replay, record, web) nor `bot.app`.
"""
