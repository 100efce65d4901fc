"""HA's own web UI in headless Chromium (Debian's package, driven by Playwright).

Used by ``scripts/screenshots`` and by the end-to-end test that reads the front as a
coordinator sees it (tests/e2e/test_front_in_browser.py): the dashboard's card names, and
the police step of the front's options with the full webhook URL. The user logs in through
HA's own auth-callback flow, as the web UI does; the page is in Spanish, in Bogotá's zone.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
import json
import os
import shutil
from typing import Final

import aiohttp
from playwright.async_api import Browser, Locator, Page, ViewportSize, async_playwright

VIEWPORT: Final = ViewportSize(width=1280, height=1600)
WAIT_MS: Final = 60_000  # an upper bound for a slow shared machine, never a measurement
# What the Spanish UI calls the options' gear and the police step (HA's and ours).
CONFIGURE: Final = "Configurar"
POLICE_STEP: Final = "Enlace con la policía"
INTEGRATION_PAGE: Final = "config/integrations/integration/mi_frente_seguro"
# The text of every card name on the front's dashboard (tile, button, picture-entity,
# entities rows, alarm panel), each the element that would be cut with an ellipsis.
CARD_NAMES: Final = (
    "ha-tile-info .primary, hui-button-card span, hui-picture-entity-card .footer,"
    " hui-generic-entity-row .info, hui-alarm-panel-card .name, .card-header"
)


def chromium_path() -> str:
    """Return Debian's Chromium (scripts/setup installs it)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise FileNotFoundError("chromium is not installed: run scripts/setup")
    return found


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """Launch headless Chromium (no sandbox as root, as in CI)."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_path(),
            args=["--no-sandbox"] if os.geteuid() == 0 else [],
        )
        try:
            yield browser
        finally:
            await browser.close()


async def auth_code(
    session: aiohttp.ClientSession, url: str, client_id: str, login: tuple[str, str]
) -> str:
    """Log ``login`` in through HA's login flow and return the authorization code."""
    async with session.post(
        f"{url}/auth/login_flow",
        json={"client_id": client_id, "handler": ["homeassistant", None],
              "redirect_uri": f"{client_id}?auth_callback=1"},
    ) as response:  # fmt: skip
        flow = await response.json()
    username, password = login
    async with session.post(
        f"{url}/auth/login_flow/{flow['flow_id']}",
        json={"client_id": client_id, "username": username, "password": password},
    ) as response:
        return str((await response.json())["result"])


async def logged_in(
    session: aiohttp.ClientSession, url: str, path: str, login: tuple[str, str]
) -> str:
    """Return the URL of ``path`` that logs ``login`` in, as HA's auth callback does."""
    client_id = f"{url}/"
    code = await auth_code(session, url, client_id, login)
    state = json.dumps({"hassUrl": url, "clientId": client_id})
    encoded = base64.b64encode(state.encode()).decode()
    return f"{url}/{path}?auth_callback=1&code={code}&state={encoded}"


async def open_page(
    browser: Browser,
    session: aiohttp.ClientSession,
    url: str,
    path: str,
    login: tuple[str, str],
) -> Page:
    """Open ``path`` of HA at ``url`` logged in as ``login``, in Spanish (es-CO)."""
    context = await browser.new_context(
        locale="es-CO", timezone_id="America/Bogota", viewport=VIEWPORT
    )
    context.set_default_timeout(WAIT_MS)
    page = await context.new_page()
    await page.goto(await logged_in(session, url, path, login))
    return page


async def card_names(page: Page) -> dict[str, bool]:
    """Return each card name shown on the dashboard, and whether it is cut short.

    Waits until the cards have rendered (a tile has a name). A name is cut when its text
    is wider than its box (CSS ellipsis or clipping).
    """
    names = page.locator(CARD_NAMES)
    await names.first.wait_for()
    shown: dict[str, bool] = {}
    for index in range(await names.count()):
        element = names.nth(index)
        text = " ".join((await element.inner_text()).split())
        if text:
            shown[text] = shown.get(text, False) or await _cut(element)
    return shown


async def _cut(element: Locator) -> bool:
    return bool(await element.evaluate("e => e.scrollWidth > e.clientWidth + 1"))


async def open_police_step(
    browser: Browser,
    session: aiohttp.ClientSession,
    url: str,
    login: tuple[str, str],
) -> tuple[Page, Locator]:
    """Open the integration's page, then the front's options and its police step.

    Returns the page and the dialog once it shows the webhook (a link in the step's
    description).
    """
    page = await open_page(browser, session, url, INTEGRATION_PAGE, login)
    await page.get_by_role("button", name=CONFIGURE).first.click()
    await page.get_by_text(POLICE_STEP).first.click()
    dialog = page.locator("ha-dialog, dialog-data-entry-flow").first
    await dialog.locator("a[href*='/api/webhook/']").first.wait_for()
    return page, dialog
