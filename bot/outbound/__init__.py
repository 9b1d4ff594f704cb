"""What goes out through the platform's API after the window closed: courier, senders, notices,
deferred.

Rule: sans-Flask; may import `bot.protocol`, `bot.store`, `bot.platform`, `bot.clock` and
`flows`; never `bot.window` (the window hands work here, never the other way), `bot.app`,
`bot.server` or `bot.sim`. Kept apart from the window because its parts run on the courier's
thread, minutes or days after the push that caused them.
"""
