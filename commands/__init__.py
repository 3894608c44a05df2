"""Sub-commands of cli.py, one module each with a register(subparsers) function."""

from commands import database, territories, users, values

COMMANDS = [database, territories, users, values]
