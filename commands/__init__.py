"""Sub-commands of cli.py, one module each with a register(subparsers) function."""

from commands import compare, database, lieux, move, notify, progress, territories, users, values

COMMANDS = [database, territories, lieux, progress, compare, users, values, notify, move]
