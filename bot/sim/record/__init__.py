"""Live traffic -> fixture; everything personal stays inside this package.

Rule: may import `wire`, `mockplatform`, `targets` and the bot's parts via `bot.parts`; never
another tool (replay, chat, web) nor `bot.app`.
"""
