"""Sub-commands of cli.py, one module each with a register(subparsers) function."""

from commands import compare, database, territories, users

COMMANDS = [database, territories, users, compare]
