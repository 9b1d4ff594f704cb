"""The bot under test, in process or over HTTP: one Protocol, two implementations."""
