"""The terminal REPL that talks to the bot as one follower."""
