"""The platform's half of the protocol: pushes as it builds, signs, seals and retries them.

Rule: imports nothing else of the simulator; of the bot, only its leaves (`bot.protocol`,
`bot.clock`); no Flask app, no `bot.parts`.
"""
