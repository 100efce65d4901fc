"""The domain and protocol subpackage must never import Home Assistant."""

from __future__ import annotations

import ast
from pathlib import Path

PURE = (
    Path(__file__).parent.parent / "custom_components" / "mi_frente_seguro" / "frente"
)


def _ha_imports(path: Path) -> list[str]:
    """Return the ``homeassistant`` imports of one source file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
            if node.level > 1:  # from ..x import y climbs out of the subpackage
                names = [f"{'.' * node.level}{node.module or ''}"]
        else:
            continue
        found += [
            f"{path.name}:{node.lineno}: {name}"
            for name in names
            if name.split(".")[0] == "homeassistant" or name.startswith("..")
        ]
    return found


def test_pure_package_has_files() -> None:
    """The check below would pass vacuously on an empty folder."""
    assert len(list(PURE.rglob("*.py"))) >= 3


def test_no_homeassistant_import_in_pure_package() -> None:
    """No file under frente/ imports homeassistant or climbs into the HA glue."""
    offenders = [
        hit for path in sorted(PURE.rglob("*.py")) for hit in _ha_imports(path)
    ]
    assert offenders == []


def test_checker_catches_an_import(tmp_path: Path) -> None:
    """The checker itself flags every way of importing HA."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import homeassistant.core\n"
        "from homeassistant import config_entries\n"
        "from ..const import DOMAIN\n"
        "def f():\n    import homeassistant\n",
        encoding="utf-8",
    )
    assert len(_ha_imports(bad)) == 4
