"""Sub-commands of cli.py, one module each with a register(subparsers) function."""

from commands import database, progress, territories, users

COMMANDS = [database, territories, progress, users]
