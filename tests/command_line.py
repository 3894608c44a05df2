"""Running `python cli.py …` in a test: in this process through cli.main (no interpreter start, no imports
redone), or as a real subprocess, which each command family keeps for one test so the entry point stays
covered. Both give a CompletedProcess (returncode, stdout, stderr)."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys

import cli
from tests.conftest import ROOT


@contextlib.contextmanager
def _environment(changes: dict[str, str]):
    """os.environ with these variables set, restored afterwards (what a subprocess's own env would be)."""
    saved = {name: os.environ.get(name) for name in changes}
    os.environ.update(changes)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run(*args, db_file=None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`python cli.py ARGS` run in this process (on db_file when given, with env added): exit code and output."""
    argv = [str(a) for a in args]
    changes = {**({"CARREFOURS_DB": str(db_file)} if db_file is not None else {}), **(env or {})}
    out, err = io.StringIO(), io.StringIO()
    with _environment(changes), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as exit_:  # argparse's usage errors, as the interpreter would end
            if exit_.code is None or isinstance(exit_.code, int):
                code = exit_.code or 0
            else:
                print(exit_.code, file=sys.stderr)
                code = 1
    return subprocess.CompletedProcess(["cli.py", *argv], code, out.getvalue(), err.getvalue())


def spawn(*args, db_file=None, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """`python cli.py ARGS` as a real subprocess (the entry point itself), on db_file when given, with env added."""
    changes = {**({"CARREFOURS_DB": str(db_file)} if db_file is not None else {}), **(env or {})}
    return subprocess.run(
        [sys.executable, "cli.py", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **changes},
        timeout=timeout,
    )
