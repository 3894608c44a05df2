"""The layering of issue 15 holds: import-linter's contract in .importlinter, run as the suite runs."""

from __future__ import annotations

import ast
import configparser
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent.parent
CONFIG = ROOT / ".importlinter"
NOT_LAYERED = {"tests", "benchmarks", "scripts"}  # they may import anything; nothing imports them
# Top-level modules, outside import-linter's graph (it reads packages only): what each may not import.
TOP_MODULES = {
    "bootstrap.py": {"ui", "commands", "api", "web", "app", "cli"},
    "app.py": {"commands", "cli"},  # its st.App mounts the pages, the api and web routes
    "cli.py": {"ui", "api", "web", "app"},
}


def _imported(path: Path) -> set[str]:
    """The top-level names a module imports, anywhere in it (imports inside functions too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_no_package_imports_a_layer_above_it(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    code = lint_imports(config_filename=str(CONFIG), no_cache=True, no_logo=True)
    assert code == 0, capsys.readouterr().out


def test_every_package_is_in_the_contract():
    parser = configparser.ConfigParser()
    parser.read(CONFIG, encoding="utf-8")
    listed = set(parser["importlinter"]["root_packages"].split())
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - NOT_LAYERED
    assert packages - listed == set(), "add these packages to root_packages and to a layer in .importlinter"
    layers = parser["importlinter:contract:layers"]["layers"].replace("(", "").replace(")", "")
    layered = {name.strip() for line in layers.split("\n") for name in line.split("|") if name.strip()}
    assert listed - layered == set()


def test_top_level_modules_import_nothing_beside_or_above_them():
    for name, forbidden in TOP_MODULES.items():
        assert _imported(ROOT / name) & forbidden == set(), name
