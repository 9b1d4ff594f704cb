"""Conversation fixtures: load, run, expect, coverage, reports and the pytest plugin.

Rule: may import `wire`, `mockplatform`, `targets` and the bot's parts via `bot.parts`; never
another tool (record, chat, web) nor `bot.app`.
"""
