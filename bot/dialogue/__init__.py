"""The dialogue policy: who answers a message, and what the bot says between the flows.

Rule: reads what the language stage understood (flows.language) and the knowledge answers
(flows.knowledge), drives the flows (flows.*), and speaks through the catalog. The few words
it reads itself, for rules that belong to a step rather than to understanding (starting over, a
confirmation's first no, a foreign ID, an agent's hours), are regexes in wording.py, read once;
it never imports Flask, the store or the simulator, and holds no per-message state:
everything a follower's next message needs (the pending choice, misses in a row) is in the
session the engine saves.

Where: conversation.py routes a push; a free sentence goes to in_step.py (a service under way;
readings.py says what a line at a step means) or idle.py (none); steps.py, questions.py,
talk.py, person.py, guardian.py serve both.
"""
