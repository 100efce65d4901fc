"""The domain and protocol subpackage must never import Home Assistant."""

from __future__ import annotations

import ast
from pathlib import Path

PURE = (
    Path(__file__).parent.parent / "custom_components" / "mi_frente_seguro" / "frente"
)


def _ha_imports(path: Path, root: Path = PURE) -> list[str]:
    """Return the imports of one source file that leave the pure package.

    ``homeassistant`` anywhere, the integration's HA glue by its absolute name, and
    relative imports that climb above ``root`` (``from ..x`` inside ``frente/dispatch``
    stays inside ``frente``; ``from ..const`` in ``frente/`` itself does not).
    """
    depth = len(path.relative_to(root).parts) - 1  # folders below the pure package
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
            if node.level > depth + 1:  # climbs out of the pure package
                names = [f"{'.' * node.level}{node.module or ''}"]
        else:
            continue
        found += [
            f"{path.name}:{node.lineno}: {name}"
            for name in names
            if name.split(".")[0] == "homeassistant"
            or name.startswith("..")
            or (
                name.startswith("custom_components.mi_frente_seguro")
                and not name.startswith("custom_components.mi_frente_seguro.frente")
            )
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
        "from custom_components.mi_frente_seguro.const import LOGGER\n"
        "def f():\n    import homeassistant\n",
        encoding="utf-8",
    )
    assert len(_ha_imports(bad, tmp_path)) == 5
    nested = tmp_path / "dispatch" / "ok.py"
    nested.parent.mkdir()
    nested.write_text(
        "from ..text import checked_text\nfrom ...const import DOMAIN\n",
        encoding="utf-8",
    )
    assert _ha_imports(nested, tmp_path) == ["ok.py:2: ...const"]
