"""Sub-commands of cli.py, one module each with a register(subparsers) function."""

from commands import database, values

COMMANDS = [database, values]
