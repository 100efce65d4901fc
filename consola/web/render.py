"""Pages from Jinja2 templates (autoescaped), in the request's language, Bogotá time."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any, Final

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ..fronts import mask
from ..i18n import Lang, t
from ..storage.accounts import Session
from ..textos import TEXTS
from ..tiempo import show

TEMPLATES: Final = Path(__file__).parent / "templates"
ENV: Final = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def duration(seconds: float | None) -> str:
    """Return seconds as ``1:05`` (minutes:seconds), ``1:02:05`` past an hour, "—" if none."""
    if seconds is None:
        return "—"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


ENV.globals.update(show=show, mask=mask, duration=duration)

SESSION: Final = "consola.session"
LANG: Final = "consola.lang"
LOGIN_CSRF: Final = "consola.login_csrf"


def lang_of(request: web.Request) -> Lang:
    """Return the request's language (set by the middleware)."""
    lang: Lang = request.get(LANG, "es")
    return lang


def session_of(request: web.Request) -> Session | None:
    """Return the request's session, if logged in."""
    session: Session | None = request.get(SESSION)
    return session


def render_text(request: web.Request, template: str, **context: Any) -> str:
    """Return a template rendered for ``request``."""
    lang = lang_of(request)
    session = session_of(request)

    def label(prefix: str, value: object) -> str:
        key = f"{prefix}.{value}"
        return t(key, lang) if key in TEXTS else str(value)

    def step_text(step: dict[str, Any]) -> str:
        values = {
            key: label("state", value) if key == "state"
            else label("kind", value) if key in ("old", "new")
            else label("type", value) if key == "type"
            else value
            for key, value in step["values"].items()
        }  # fmt: skip
        return t(step["what"], lang, **values)

    return ENV.get_template(template).render(
        t=partial(t, lang=lang),
        label=label,
        step_text=step_text,
        lang=lang,
        session=session,
        operator=session.operator if session else None,
        csrf=session.csrf if session else request.get(LOGIN_CSRF, ""),
        path=request.path,
        **context,
    )


def page(
    request: web.Request, template: str, *, status: int = 200, **context: Any
) -> web.Response:
    """Return a whole page."""
    return web.Response(
        text=render_text(request, template, **context),
        status=status,
        content_type="text/html",
        charset="utf-8",
    )


def error_page(request: web.Request, status: int, message_key: str) -> web.Response:
    """Return an error page with one catalog message."""
    return page(request, "error.html", status=status, message_key=message_key)
