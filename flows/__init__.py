"""The conversations the bot offers, as declarative state machines (the list: flows.registry).

Rule: pure — never imports `bot` or Flask, does no IO per message (data files are read once);
the backend it needs is the port in flows.port. Deliberately empty: `flows.ids` or
`flows.port` must not cost every flow and its Machine.
"""
