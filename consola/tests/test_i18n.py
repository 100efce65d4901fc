"""Words: every key in Spanish and English, every key the code and the templates name exists."""

from __future__ import annotations

from pathlib import Path
import re

from consola.i18n import t
from consola.ingest.envelope import Verdict
from consola.textos import TEXTS

PACKAGE = Path(__file__).resolve().parents[1]
LITERAL_KEY = re.compile(r"""\bt\(\s*['"]([a-z_]+\.[a-z_.]+)['"]""")
REASON_KEY = re.compile(r"""['"]((?:answer|fronts|operators)\.reason\.[a-z_]+)['"]""")


def test_both_languages_everywhere() -> None:
    """Each key has a Spanish and an English text, with the same {fields}."""
    for key, (spanish, english) in TEXTS.items():
        assert spanish.strip() and english.strip(), key
        assert re.findall(r"{(\w+)}", spanish) == re.findall(r"{(\w+)}", english), key


def test_every_named_key_exists() -> None:
    """The keys named in templates and Python files, and every refusal reason, exist."""
    named: set[str] = set()
    for path in [*PACKAGE.rglob("*.py"), *PACKAGE.rglob("*.html")]:
        if "tests" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        named |= set(LITERAL_KEY.findall(text)) | set(REASON_KEY.findall(text))
    assert named, "the scan found nothing"
    assert sorted(named - set(TEXTS)) == []
    for verdict in Verdict:
        if verdict not in (Verdict.STORED, Verdict.DUPLICATE, Verdict.UNAVAILABLE):
            assert f"reason.{verdict.value}" in TEXTS


def test_spanish_is_the_default() -> None:
    """Operators read Spanish unless they chose English."""
    assert t("nav.live") == "En vivo" and t("nav.live", "en") == "Live"
