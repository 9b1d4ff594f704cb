"""The dialogue policy: who answers a message, and what the bot says between the flows.

Rule: reads what the language stage understood (flows.language) and the knowledge answers
(flows.knowledge), drives the flows (flows.*), and speaks through the catalog. It never parses
text itself, never imports Flask, the store or the simulator, and holds no per-message state:
everything a follower's next message needs (the pending choice, misses in a row) is in the
session the engine saves.
"""
