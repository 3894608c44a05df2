"""Sub-commands of cli.py, one module each with a register(subparsers) function."""

from commands import compare, database, lieux, progress, territories, users, values

COMMANDS = [database, territories, lieux, progress, compare, users, values]
