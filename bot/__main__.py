"""`python -m bot` is `wxbot`, for environments without the console script on PATH."""

from bot.cli import main

main()
