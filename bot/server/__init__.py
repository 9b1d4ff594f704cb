"""How HTTP reaches the bot: the endpoints (webhook, healthz), arrival stamps, gunicorn, launch.

Rule: the only Flask and gunicorn code of the bot's own path; reaches the app's parts through
`bot.parts` and builds an app only as `bot.create_app`; never imports `bot.sim`.
"""
