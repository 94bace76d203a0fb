"""The shape of the code base: small modules and functions, casework free of frameworks, capabilities
used only through their public names, and the one transaction rule (casework/core/db.py)."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PRODUCT = ("casework", "notifier", "webhook", "rasa_rest", "bot/actions")
DOORS = ("webhook", "notifier", "scripts")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
FRAMEWORKS = {
    "flask",
    "flask_wtf",
    "werkzeug",
    "jinja2",
    "gunicorn",
    "apscheduler",
    "twilio",
    "rasa",
    "rasa_sdk",
    "requests",
    "aiohttp",
}
# Packages whose modules are imported directly: the shared kernel, and the command-line entry points.
OPEN_PACKAGES = {"core", "cli", "migrations"}


def _files(*roots: str) -> Iterator[Path]:
    for root in roots:
        base = ROOT / root
        yield from (p for p in sorted(base.rglob("*.py")) if "versions" not in p.parts)


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _capabilities() -> set[str]:
    return {p.name for p in (ROOT / "casework").iterdir() if (p / "__init__.py").exists()} - OPEN_PACKAGES


def _capability_of(path: Path) -> str | None:
    parts = path.relative_to(ROOT).parts
    return parts[1] if parts[0] == "casework" and len(parts) > 2 else None


def test_no_module_is_over_400_lines() -> None:
    long = {_rel(p): n for p in _files(*PRODUCT) if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES}
    assert long == {}, f"split these modules (at most {MAX_MODULE_LINES} lines): {long}"


def test_no_function_is_over_60_lines() -> None:
    too_long = {}
    for path in _files(*PRODUCT):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long[f"{_rel(path)}::{node.name}"] = length
    assert too_long == {}, f"split these functions (at most {MAX_FUNCTION_LINES} lines): {too_long}"


def _imports(path: Path) -> Iterator[tuple[int, str, list[str]]]:
    """(line, module, names) for every import in a file (names empty for `import x`)."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module, [a.name for a in node.names]


def test_casework_imports_no_framework() -> None:
    found = [
        f"{_rel(path)}:{line} {module}"
        for path in _files("casework")
        for line, module, _names in _imports(path)
        if module.split(".")[0] in FRAMEWORKS
    ]
    assert found == [], f"casework must not import a web, bot, scheduler or HTTP framework: {found}"


def test_other_packages_use_a_capability_only_through_its_public_names() -> None:
    capabilities = _capabilities()
    public = {c: set(importlib.import_module(f"casework.{c}").__all__) for c in capabilities}
    wrong = []
    for path in _files(*PRODUCT, "scripts", "bench"):
        own = _capability_of(path)
        for line, module, names in _imports(path):
            parts = module.split(".")
            if parts[0] != "casework" or len(parts) < 2 or parts[1] not in capabilities or parts[1] == own:
                continue
            if len(parts) > 2:
                wrong.append(f"{_rel(path)}:{line} imports {module} (use casework.{parts[1]})")
            else:
                hidden = [n for n in names if n not in public[parts[1]]]
                wrong += [f"{_rel(path)}:{line} {n} is not public" for n in hidden]
    assert wrong == []


def _calls(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            yield node.lineno, name


def test_doors_never_commit_nor_open_a_session_or_transaction() -> None:
    found = [
        f"{_rel(path)}:{line} {name}()"
        for path in _files(*DOORS)
        for line, name in _calls(path)
        if name in {"commit", "rollback", "begin", "begin_nested", "transaction", "sessions", "unit_of_work"}
    ]
    assert found == [], f"doors call one casework use case, which owns the transaction: {found}"


def test_only_the_unit_of_work_commits_in_casework() -> None:
    found = [
        f"{_rel(path)}:{line}"
        for path in _files("casework")
        for line, name in _calls(path)
        if name == "commit" and _rel(path) != "casework/core/db.py"
    ]
    assert found == [], f"use core.db.transaction(); rule functions never commit: {found}"


@pytest.mark.parametrize("capability", sorted(_capabilities()))
def test_each_capability_names_its_public_functions(capability: str) -> None:
    package = importlib.import_module(f"casework.{capability}")
    assert package.__doc__ and package.__all__
    assert all(hasattr(package, name) for name in package.__all__)


def test_the_notifier_does_not_import_the_webhook() -> None:
    found = [
        f"{_rel(path)}:{line} {module}"
        for path in _files("notifier")
        for line, module, _names in _imports(path)
        if module.split(".")[0] == "webhook"
    ]
    assert found == []
