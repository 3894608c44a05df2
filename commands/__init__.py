"""Sub-commands of cli.py, one module each with a register(subparsers) function."""

from commands import compare, database, territories

COMMANDS = [database, territories, compare]
