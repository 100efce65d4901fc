"""What every request passes: security headers, the session, the language, CSRF, roles.

- Sessions are server-side: the cookie holds a random token, the database its SHA-256.
  Cookies are ``HttpOnly`` and ``SameSite=Strict``; behind TLS also ``Secure`` with the
  ``__Host-`` prefix.
- Every form POST carries a CSRF token: the session's (synchronizer token), or before login
  a random one in a cookie of its own (double submit). A cross-site ``Origin`` is refused
  too. ``POST /alerts`` is exempt: its signature is its authentication.
- Pages carry a strict Content-Security-Policy (no inline script or style).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
import hmac
import secrets
from typing import Final

from aiohttp import web

from ..i18n import pick_lang
from ..mapa import tiles_source
from ..storage.accounts import load_session
from ..storage.db import StorageError
from .keys import CONSOLE
from .render import LANG, LOGIN_CSRF, SESSION, error_page, session_of

type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SESSION_COOKIE: Final = "mfs_sesion"
SECURE_SESSION_COOKIE: Final = "__Host-mfs_sesion"
LOGIN_COOKIE: Final = "mfs_ingreso"
LANG_COOKIE: Final = "mfs_idioma"
CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:{tiles}; "
    "connect-src 'self'; media-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
UNGUARDED_POSTS: Final = ("/alerts",)


def secure(request: web.Request) -> bool:
    """Return True when cookies must be Secure (TLS at the console or at its proxy)."""
    return request.secure or request.app[CONSOLE].settings.secure_cookies


def session_cookie_name(request: web.Request) -> str:
    """Return the session cookie's name for this request."""
    return SECURE_SESSION_COOKIE if secure(request) else SESSION_COOKIE


def set_cookie(response: web.StreamResponse, request: web.Request, name: str, value: str,
               max_age: int | None = None) -> None:  # fmt: skip
    """Set a cookie with the console's flags."""
    response.set_cookie(
        name, value, max_age=max_age, path="/", httponly=True, samesite="Strict",
        secure=secure(request),
    )  # fmt: skip


@web.middleware
async def headers_middleware(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    """Add the security headers to every answer."""
    response = await handler(request)
    tiles = tiles_source(request.app[CONSOLE].settings.tiles_url)
    response.headers.setdefault(
        "Content-Security-Policy", CSP.format(tiles=f" {tiles}" if tiles else "")
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    # same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on forms.
    response.headers["Referrer-Policy"] = "same-origin"
    if not request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    if secure(request):
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if origin is None:  # not a browser; the CSRF token is still required
        return True
    # Behind a TLS proxy the browser's origin is https:// while this hop is plain http.
    scheme = "https" if secure(request) else request.scheme
    return origin == f"{scheme}://{request.host}"


@web.middleware
async def session_middleware(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    """Load the session and language; check CSRF on every form POST."""
    request[LANG] = pick_lang(request.cookies.get(LANG_COOKIE))
    console = request.app[CONSOLE]
    if request.path.startswith(UNGUARDED_POSTS) or request.path.startswith("/static/"):
        return await handler(request)
    token = request.cookies.get(session_cookie_name(request))
    if token and len(token) <= 100:
        now = console.clock()
        try:
            request[SESSION] = await console.db.tx(
                lambda tx: load_session(tx, token, now)
            )
        except StorageError:
            return error_page(request, 503, "error.unavailable")
    login_token = request.cookies.get(LOGIN_COOKIE, "")
    fresh_login_token = None
    if session_of(request) is None:
        if not (20 <= len(login_token) <= 100):
            login_token = fresh_login_token = secrets.token_urlsafe(32)
        request[LOGIN_CSRF] = login_token
    if request.method == "POST":
        if not _same_origin(request):
            return error_page(request, 403, "error.csrf")
        form = await request.post()
        sent = form.get("csrf")
        session = session_of(request)
        expected = (
            session.csrf if session else (None if fresh_login_token else login_token)
        )
        if not (
            isinstance(sent, str)
            and expected
            and hmac.compare_digest(sent.encode(), expected.encode())
        ):
            return error_page(request, 403, "error.csrf")
    response = await handler(request)
    if fresh_login_token is not None:
        set_cookie(response, request, LOGIN_COOKIE, fresh_login_token)
    return response


def login_required(handler: Handler) -> Handler:
    """Send visitors without a session to the login page."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        if session_of(request) is None:
            if (
                request.method == "GET"
                and "text/event-stream" not in request.headers.get("Accept", "")
            ):
                raise web.HTTPSeeOther("/ingresar")
            return error_page(request, 401, "login.expired")
        return await handler(request)

    return guarded


def supervisor_required(handler: Handler) -> Handler:
    """Allow supervisors only (operators get 403)."""

    async def guarded(request: web.Request) -> web.StreamResponse:
        session = session_of(request)
        if session is None:
            raise web.HTTPSeeOther("/ingresar")
        if not session.operator.supervisor:
            return error_page(request, 403, "error.forbidden")
        return await handler(request)

    return login_required(guarded)
