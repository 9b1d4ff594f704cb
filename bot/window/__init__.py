"""The 5-second window: the engine that answers a push in time, its turn workers, and rescue.

Rule: sans-Flask; may import `bot.protocol`, `bot.store`, `bot.outbound`, the root leaves
(`bot.clock`, `bot.conversation`) and `flows`; never `bot.app`, `bot.server` or `bot.sim`.
Each part is handed what it needs by bot/app.py: none builds or starts another.
"""
