"""The front as a coordinator sees it, in HA's own web UI, in Spanish, in real Chromium.

The demo stack (a real ``hass``, broker, kit, cameras, console) builds its dashboard with the
integration's own ``dashboard`` action. Every card name must be shown whole (none cut with
an ellipsis) and the police step of the front's options must show the webhook as a full URL
built from HA's external URL. With ``MFS_SCREENSHOTS=1`` the two pictures are written to
docs/images/ (dashboard.png, police-step.png) for the README and the guides.
"""

from __future__ import annotations

import os
from pathlib import Path
import shutil

import aiohttp
from playwright.async_api import Page
import pytest

from scripts.harness.browser import card_names, chromium, open_page, open_police_step
from scripts.harness.demo_front import DASHBOARD, DASHBOARD_VIEW, DEMO_LOGIN
from scripts.harness.stack import DemoStack

pytestmark = pytest.mark.e2e
DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
LOGIN = DEMO_LOGIN
EXPECTED = {
    "Alarma", "Pánico", "Pánico silencioso", "Médica", "Incendio", "Simulacro",
    "Sirena", "Incidente", "Policía", "Falsas alarmas", "Respuesta (30 días)",
    "Esquina tienda", "Parque", "Calle 26", "Callejón",
}  # fmt: skip


async def picture(page: Page, name: str, tmp_path: Path) -> None:
    """Save a screenshot (to docs/images/ too when MFS_SCREENSHOTS=1)."""
    await page.screenshot(path=tmp_path / name)
    if os.environ.get("MFS_SCREENSHOTS") == "1":
        shutil.copyfile(tmp_path / name, DOCS_IMAGES / name)


async def test_dashboard_names_whole_and_police_step_full_url(
    socket_enabled: None, tmp_path: Path
) -> None:
    """Spanish dashboard: every name whole; police step: the full webhook URL."""
    stack = DemoStack(tmp_path / "stack")
    try:
        async with aiohttp.ClientSession() as session, chromium() as browser:
            client = await stack.start(session)
            hook = await stack.webhook_id()
            page = await open_page(
                browser, session, stack.hass.url, f"{DASHBOARD}/{DASHBOARD_VIEW}", LOGIN
            )
            shown = await card_names(page)
            assert shown.keys() >= EXPECTED, shown
            assert [name for name, cut in shown.items() if cut] == []
            await picture(page, "dashboard.png", tmp_path)

            page, dialog = await open_police_step(
                browser, session, stack.hass.url, LOGIN
            )
            link = dialog.locator("a[href*='/api/webhook/']").first
            assert await link.inner_text() == f"{stack.hass.url}/api/webhook/{hook}"
            await picture(page, "police-step.png", tmp_path)
            await client.close()
    finally:
        await stack.stop()
