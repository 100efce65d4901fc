"""The console's words: Spanish (the operators' language, the default) and English.

Every text a person reads goes through :func:`t` with a key of :mod:`consola.textos`; a
test checks that each key has both languages and that every key the templates use exists.
"""

from __future__ import annotations

from typing import Final, Literal

from .textos import TEXTS

type Lang = Literal["es", "en"]
LANGS: Final[tuple[Lang, ...]] = ("es", "en")
DEFAULT_LANG: Final[Lang] = "es"


def pick_lang(value: str | None) -> Lang:
    """Return the language ``value`` names, else Spanish."""
    return "en" if value == "en" else "es"


def t(key: str, lang: Lang = DEFAULT_LANG, **values: object) -> str:
    """Return the text ``key`` in ``lang`` with ``values`` filled in ({name} fields)."""
    spanish, english = TEXTS[key]
    text = english if lang == "en" else spanish
    return text.format(**values) if values else text
