"""The console in a real browser: Debian's Chromium driven by Playwright (no download).

An operator logs in, a front's alarm (POSTed here, signed with ``standardwebhooks`` as a
front does) appears on the live screen through the push stream, with its sound for a real
alarm and the marks of a drill and of duress; the operator dispatches a unit and the
front's webhook on 127.0.0.1 gets the signed update. A wrong password is throttled; an
operator cannot open the supervisors' pages. Assertions wait for presence, never timing.
With ``MFS_SCREENSHOTS=1`` the screenshots are written to docs/images/ for the README.
"""

from __future__ import annotations

import base64
from dataclasses import replace
import hashlib
import os
from pathlib import Path
import shutil

import aiohttp
from aiohttp import web
from playwright.async_api import Browser, Page, expect
import pytest

from consola.storage.accounts import ACCOUNT_LIMIT

from .conftest import OPERATOR, SUPERVISOR, Running
from .helpers import INCIDENT_ID, alert, free_port, signed
from .test_evidence import evidence_item, upload_of

pytestmark = pytest.mark.browser
expect.set_options(
    timeout=20_000
)  # an upper bound for slow shared machines, not a timing assertion
DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"
WAIT_MS = 20_000


async def open_page(browser: Browser, tmp_path: Path) -> Page:
    """Return a fresh page (its own cookies) in Bogotá's zone, Spanish."""
    context = await browser.new_context(
        locale="es-CO",
        timezone_id="America/Bogota",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(WAIT_MS)
    del tmp_path
    return await context.new_page()


async def screenshot(page: Page, name: str, tmp_path: Path) -> None:
    """Save a screenshot (to docs/images/ too when MFS_SCREENSHOTS=1)."""
    await page.screenshot(path=tmp_path / name, full_page=True)
    if os.environ.get("MFS_SCREENSHOTS") == "1":
        DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tmp_path / name, DOCS_IMAGES / name)


async def log_in(page: Page, base: str, username: str, password: str) -> None:
    """Fill the login form and send it."""
    await page.goto(f"{base}/ingresar")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", password)
    await page.click("button[type=submit]")


async def operator_page(
    browser: Browser, tmp_path: Path, running: Running, path: str
) -> Page:
    """Return a fresh page logged in as the operator, at ``path`` of the console."""
    page = await open_page(browser, tmp_path)
    await log_in(page, running.base, *OPERATOR)
    await page.goto(f"{running.base}{path}")
    return page


async def decoded_picture(page: Page, selector: str) -> None:
    """Wait until an ``<img>`` matching ``selector`` has loaded and decoded (width > 0).

    Checked in the page in one step: a live row pushed again (the next still stored)
    replaces its images, so a ``complete`` read and a width read on two elements could
    pair a loaded picture with one that has only started loading.
    """
    await page.wait_for_function(
        "sel => [...document.querySelectorAll(sel)]"
        ".some(img => img.complete && img.naturalWidth > 0)",
        arg=selector,
    )


async def post_alert(running: Running, **changes: object) -> None:
    """Send a signed alert as the front would."""
    data, headers = signed(alert(**changes), running.secret)
    async with (
        aiohttp.ClientSession() as http,
        http.post(running.alerts_url, data=data, headers=headers) as response,
    ):
        assert response.status == 200


async def incident_pk(running: Running, incident_id: str) -> int:
    """Return the console's number of an incident."""
    row = await running.console.db.tx(
        lambda tx: tx.one("SELECT id FROM incidents WHERE incident_id = ?", incident_id)
    )
    assert row is not None
    return int(row["id"])


async def test_alarm_live_then_dispatched(
    browser: Browser, running_sqlite: Running, tmp_path: Path
) -> None:
    """Log in, see alarms arrive by push, dispatch a unit, the front gets it signed."""
    running = running_sqlite
    page = await open_page(browser, tmp_path)
    await log_in(page, running.base, *OPERATOR)
    await expect(page.locator("h1")).to_have_text("Alarmas en vivo")
    await expect(page.locator("#link.ok")).to_be_visible()  # the push stream is open
    await page.click("#sound")  # the operator's gesture that allows sound
    await post_alert(running)
    panic = page.locator(
        f"#incidente-{await incident_pk(running, '01JDR6Q7ZK3M8YV2C4T5N9B0AX')}"
    )
    await expect(panic).to_be_visible()
    await expect(panic).to_contain_text("Calle Real")
    await expect(page.locator("body")).to_have_attribute("data-sounds", "1")
    await post_alert(running, id="01JDR6Q7ZMB1H2J3K4N5P6Q7D1", incident_id="01JDR6Q7ZK3M8YV2C4T5N9B0D1",
                     kind="drill", exercise=True)  # fmt: skip
    await post_alert(running, id="01JDR6Q7ZMB1H2J3K4N5P6Q7S1", incident_id="01JDR6Q7ZK3M8YV2C4T5N9B0S1",
                     kind="silent")  # fmt: skip
    await expect(page.locator("tr.drill .drill-badge")).to_have_text("SIMULACRO")
    await expect(page.locator("tr.duress .duress-badge")).to_contain_text(
        "posible coacción"
    )
    await expect(page.locator("body")).to_have_attribute(
        "data-sounds", "1"
    )  # drills, duress: silent
    await expect(page.locator("#live-map")).to_have_attribute(
        "data-markers", "3"
    )  # one per listed alarm, drawn as they were pushed
    await expect(page.locator("#live-map.offline")).to_be_visible()  # no tiles: grid
    await screenshot(page, "consola-en-vivo.png", tmp_path)

    await panic.locator("a").click()
    await expect(page.locator("table.senders")).to_contain_text("+573001234567")
    await expect(page.locator("table.senders")).to_contain_text(
        "<script>"
    )  # shown as text
    await expect(page.locator("#map")).to_have_attribute(
        "data-markers", "2"
    )  # front, sender
    await expect(
        page.locator("#map-note")
    ).to_be_visible()  # no tiles configured: the grid
    await page.fill("#answer-dispatched input[name=unit]", "Patrulla 12")
    await page.fill("#answer-dispatched input[name=eta_minutes]", "6")
    await page.click("#answer-dispatched button")
    (update,) = await running.webhook.wait_for(1)
    assert update.verified
    assert (update.body["status"], update.body["unit"], update.body["eta_minutes"]) == (
        "dispatched", "Patrulla 12", 6,
    )  # fmt: skip
    await expect(page.locator("#answers tr[data-delivery=delivered]")).to_contain_text(
        "Patrulla 12"
    )
    await screenshot(page, "consola-incidente.png", tmp_path)


STILL_JPEG = base64.b64decode(  # a real 32x24 JPEG, as a camera's still
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdA"
    "SFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2Nj"
    "Y2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAYACADASIAAhEBAxEB/8QA"
    "HwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIh"
    "MUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVW"
    "V1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXG"
    "x8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQF"
    "BgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAV"
    "YnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOE"
    "hYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq"
    "8vP09fb3+Pn6/9oADAMBAAIRAxEAPwDHooorhPqAooooAKKKKACiiigD/9k="
)


def listed_still(name: str) -> dict[str, object]:
    """Return the alert's evidence entry of the still ``name`` (its digest and size)."""
    return evidence_item(name) | {
        "sha256": hashlib.sha256(STILL_JPEG).hexdigest(),
        "size_bytes": len(STILL_JPEG),
    }


async def list_and_upload_still(running: Running, name: str) -> None:
    """Send the evidence update that lists the still ``name``, then upload it, signed."""
    await post_alert(running, id="01JDR6Q7ZMB1H2J3K4N5P6Q7R9", type="incident.updated",
                     sent_at="2026-11-26T20:00:04-05:00", changes=["evidence"],
                     evidence=[listed_still(name)])  # fmt: skip
    body = upload_of(name, STILL_JPEG)
    data, headers = signed(body, running.secret, msg_id=body["id"])
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{running.alerts_url}/evidence", data=data, headers=headers
        ) as answer,
    ):
        assert answer.status == 200


async def test_incident_page_shows_the_uploaded_picture(
    browser: Browser, running_sqlite: Running, tmp_path: Path
) -> None:
    """A still the front uploaded loads as an <img> on the incident page (decoded)."""
    running = running_sqlite
    await post_alert(running)
    await list_and_upload_still(running, "cam1-press.jpg")
    page = await operator_page(browser, tmp_path, running, "/incidentes/1")
    await expect(page.locator("img.evidence-thumb")).to_be_visible()
    await decoded_picture(page, "img.evidence-thumb")


async def test_live_screen_shows_the_uploaded_picture_without_reload(
    browser: Browser, running_sqlite: Running, tmp_path: Path
) -> None:
    """A still stored while the live screen is open appears in its row, decoded."""
    running = running_sqlite
    page = await operator_page(browser, tmp_path, running, "/en-vivo")
    await post_alert(running)
    row = page.locator("tr.incident").first
    await expect(row).to_be_visible()
    await expect(row.locator("img.thumb")).to_have_count(0)
    await list_and_upload_still(running, "cam1-press.jpg")
    await expect(row.locator("img.thumb")).to_be_visible()  # pushed: no reload
    await decoded_picture(page, "tr.incident img.thumb")
    pk = await incident_pk(running, INCIDENT_ID)
    assert await row.locator("a:has(img.thumb)").get_attribute("href") == (
        f"/incidentes/{pk}"
    )
    # The row pushed again (a second press): the picture shown stays, not fetched again.
    await row.locator("img.thumb").evaluate("img => { img.dataset.shown = '1'; }")
    await post_alert(running, id="01JDR6Q7ZMB1H2J3K4N5P6Q7S9", type="incident.updated",
                     sent_at="2026-11-26T20:00:09-05:00", changes=["presses"],
                     presses_total=2)  # fmt: skip
    await expect(row.locator("td").nth(6)).to_have_text("2")
    await expect(row.locator("img.thumb[data-shown]")).to_have_count(1)
    views = await running.console.db.tx(
        lambda tx: tx.one(
            "SELECT COUNT(*) AS n FROM audit WHERE action = 'view_evidence'"
        )
    )
    assert views == {"n": 1}


TILE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


async def test_map_tiles_configurable_with_offline_fallback(
    browser: Browser, running_sqlite: Running, tmp_path: Path
) -> None:
    """Tiles load from the configured server (CSP allows it); when it is gone, the grid."""
    running = running_sqlite

    async def tile(_request: web.Request) -> web.Response:
        return web.Response(
            body=TILE_PNG,
            content_type="image/png",
            headers={"Cache-Control": "no-store"},
        )

    app = web.Application()
    app.router.add_get("/{z}/{x}/{y}.png", tile)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    running.console.settings = replace(
        running.console.settings,
        tiles_url=f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png",
        tiles_attribution="Teselas <b>locales</b>",
    )
    await post_alert(running)
    page = await operator_page(browser, tmp_path, running, "/incidentes/1")
    await expect(page.locator("#map img.leaflet-tile-loaded").first).to_be_attached()
    await expect(page.locator("#map-note")).to_be_hidden()
    attribution = page.locator(".leaflet-control-attribution")
    await expect(attribution).to_contain_text("<b>locales</b>")  # text, not HTML
    await runner.cleanup()
    await page.reload()
    await expect(page.locator("#map-note")).to_be_visible()
    await expect(page.locator("#map")).to_have_attribute("data-markers", "2")


async def test_cuadrante_filter(
    browser: Browser, running_sqlite: Running, tmp_path: Path
) -> None:
    """A screen filtered to another cuadrante does not show this front's alarm."""
    running = running_sqlite
    page = await operator_page(browser, tmp_path, running, "/en-vivo?cuadrante=OTRO")
    await expect(page.locator("#link.ok")).to_be_visible()
    await post_alert(running)
    await page.goto(f"{running.base}/en-vivo?cuadrante=OTRO")
    await expect(page.locator("tr.empty")).to_be_visible()
    await page.goto(f"{running.base}/en-vivo")
    await expect(page.locator("tr.incident")).to_have_count(1)


async def test_wrong_password_is_throttled(
    browser: Browser, running_sqlite: Running, tmp_path: Path
) -> None:
    """After the limit of wrong passwords the right one is refused too, for a while."""
    page = await open_page(browser, tmp_path)
    for _ in range(ACCOUNT_LIMIT):
        await log_in(page, running_sqlite.base, OPERATOR[0], "clave-equivocada")
        await expect(page.locator("#error")).to_have_text(
            "Usuario o contraseña incorrectos."
        )
    await log_in(page, running_sqlite.base, *OPERATOR)
    await expect(page.locator("#error")).to_contain_text("Demasiados intentos")


async def test_operator_cannot_open_supervisor_pages(
    browser: Browser, running_sqlite: Running, tmp_path: Path
) -> None:
    """An operator sees no registry link and is refused the page; a supervisor opens it."""
    page = await open_page(browser, tmp_path)
    await log_in(page, running_sqlite.base, *OPERATOR)
    await expect(page.locator("h1")).to_have_text("Alarmas en vivo")
    await expect(page.locator("nav a[href='/supervision/frentes']")).to_have_count(0)
    response = await page.goto(f"{running_sqlite.base}/supervision/frentes")
    assert response is not None and response.status == 403
    await expect(page.locator("#error")).to_have_text(
        "Esta página es solo para supervisores."
    )
    supervisor = await open_page(browser, tmp_path)
    await log_in(supervisor, running_sqlite.base, *SUPERVISOR)
    await supervisor.click("nav a[href='/supervision/frentes']")
    await expect(supervisor.locator("#frente-manga_calle_real")).to_contain_text(
        "whsec_"
    )
    await screenshot(supervisor, "consola-frentes.png", tmp_path)


async def test_a_resident_cannot_open_the_console(
    browser: Browser, running_sqlite: Running, tmp_path: Path
) -> None:
    """A front's resident (no console account) sees no alarm, incident, photo or stream.

    Residents log in to their front's Home Assistant, never here: their credentials are
    refused like any wrong password, and every page sends them to the login form.
    """
    running = running_sqlite
    await post_alert(running)
    pk = await incident_pk(running, INCIDENT_ID)
    page = await open_page(browser, tmp_path)
    for path in ("/en-vivo", f"/incidentes/{pk}", "/supervision/frentes"):
        await page.goto(f"{running.base}{path}")
        await expect(page.locator("input[name=password]")).to_be_visible()
        await expect(page.locator("body")).not_to_contain_text("Calle Real")
    await log_in(page, running.base, "luis", "clave-de-su-home-assistant")
    await expect(page.locator("#error")).to_be_visible()
    await expect(page.locator("input[name=password]")).to_be_visible()
    for path in ("/en-vivo/eventos", "/en-vivo/filas", f"/incidentes/{pk}/respuestas"):
        response = await page.request.get(f"{running.base}{path}", max_redirects=0)
        assert response.status in {302, 303, 401, 403}, (path, response.status)
        assert "Calle Real" not in await response.text()
