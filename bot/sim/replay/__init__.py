"""Conversation fixtures: load, run, expect, coverage, reports and the pytest plugin."""
