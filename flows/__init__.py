"""The conversations the bot offers, as declarative state machines (the list: flows.registry).

Deliberately empty: `flows.ids` or `flows.port` must not cost every flow and its Machine.
"""
