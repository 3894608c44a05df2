"""Sub-commands of cli.py, one module each with a register(subparsers) function."""

from commands import database, lieux, progress, territories, users, values

COMMANDS = [database, territories, lieux, progress, users, values]
