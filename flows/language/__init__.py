"""The language stage: pure, no IO per message, nothing from bot or Flask."""
