"""Carrefours from the command line: the same services as the app (init, status, imports, exports…)."""

from __future__ import annotations

import argparse
import sys

import duckdb

from commands import COMMANDS
from commands.remote import lock_hint
from store.db import StoreError, explain_failure, is_failure


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run one command, return its exit code."""
    parser = argparse.ArgumentParser(prog="python cli.py", description="Carrefours en ligne de commande.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")
    for module in COMMANDS:
        module.register(sub)
    args = parser.parse_args(argv)
    try:
        return args.run(args) or 0
    except StoreError as error:
        print(f"Erreur : {lock_hint(error)}", file=sys.stderr)
        return 2
    except duckdb.Error as error:
        if not is_failure(error):
            raise  # a query's own error is a bug: keep its traceback
        print(f"Erreur : {explain_failure(None, error)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
