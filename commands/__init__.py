"""Sub-commands of cli.py, one module each with a register(subparsers) function."""

from commands import database, lieux

COMMANDS = [database, lieux]
