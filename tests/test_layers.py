"""The layers import one way: core never imports ui or cli, cli never imports ui."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pxdesk"


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside functions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize(("layer", "forbidden"), [
    ("core", ("pxdesk.ui", "pxdesk.cli")),
    ("cli", ("pxdesk.ui",)),
])
def test_a_layer_never_imports_the_ones_above_it(layer: str, forbidden: tuple[str, ...]) -> None:
    offenders = sorted(
        f"{path.relative_to(PACKAGE.parent)} imports {module}"
        for path in (PACKAGE / layer).rglob("*.py")
        for module in _imports(path)
        if any(module == f or module.startswith(f + ".") for f in forbidden)
    )
    assert offenders == []
