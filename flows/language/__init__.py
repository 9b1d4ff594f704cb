"""The language stage between a message and the dialogue: normalised text, intent, act.

Pure: built once per process from data/ (and the catalog's start words), no IO per message, and
nothing from `bot` or Flask. Measured against corpus/ by flows.language.evaluate; the
slots that steps read out of sentences (slots.py) against corpus/slots/slots.yaml.
"""

from flows.language.normalise import Normalised, normalise
from flows.language.understander import Understander, Understanding

__all__ = ["Normalised", "Understander", "Understanding", "normalise"]
