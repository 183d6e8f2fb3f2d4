"""The domain package stays pure: standard library only, importable without the bot stack."""

import ast
import sys
from pathlib import Path

import domain

DOMAIN = Path(domain.__file__).parent


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def test_domain_imports_only_the_standard_library() -> None:
    files = sorted(DOMAIN.glob("*.py"))
    assert len(files) > 5
    for path in files:
        foreign = _imported_roots(path) - set(sys.stdlib_module_names) - {"domain"}
        assert not foreign, f"{path.name} imports {foreign}"


def test_neither_telegram_nor_sqlalchemy_is_loaded() -> None:
    for path in DOMAIN.glob("*.py"):
        assert not {"telegram", "sqlalchemy"} & _imported_roots(path)
