"""The console's pages over HTTP: login, sessions, CSRF, throttling, roles, answers, audit."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import jsonschema
import pytest

from consola.ingest.message import SCHEMA_PATH
from consola.storage.accounts import ACCOUNT_LIMIT
from consola.storage.audit import list_audit

from .conftest import OPERATOR, SUPERVISOR, Running, store_alert
from .helpers import INCIDENT_ID, alert, csrf_of, form_token, login, signed


async def test_login_sets_a_strict_session_cookie(
    running_sqlite: Running, http: aiohttp.ClientSession
) -> None:
    """A good login opens the live screen; the cookie is HttpOnly, SameSite=Strict."""
    base = running_sqlite.base
    async with http.get(f"{base}/en-vivo", allow_redirects=False) as response:
        assert response.status == 303 and response.headers["Location"] == "/ingresar"
    async with http.get(f"{base}/ingresar") as response:
        token = csrf_of(await response.text())
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    async with http.post(f"{base}/ingresar", allow_redirects=False,
                         data={"csrf": token, "username": " ANA ", "password": SUPERVISOR[1]}) as response:  # fmt: skip
        assert response.status == 303
        cookie = response.headers.getall("Set-Cookie")
    session_cookie = next(c for c in cookie if c.startswith("mfs_sesion="))
    assert "HttpOnly" in session_cookie and "SameSite=Strict" in session_cookie
    assert (
        "Secure" not in session_cookie
    )  # plain HTTP on loopback; --behind-tls adds it
    async with http.get(f"{base}/en-vivo") as response:
        assert response.status == 200
        assert "Alarmas en vivo" in await response.text()
    token = await form_token(http, f"{base}/en-vivo")
    async with http.post(f"{base}/salir", data={"csrf": token}) as response:
        assert response.url.path == "/ingresar"
    async with http.get(f"{base}/en-vivo", allow_redirects=False) as response:
        assert response.status == 303


async def test_csrf_and_origin_checked(
    running_sqlite: Running, http: aiohttp.ClientSession
) -> None:
    """Forms without the session's token, or from another origin, are refused (403)."""
    base = running_sqlite.base
    async with http.post(
        f"{base}/ingresar", data={"username": "ana", "password": SUPERVISOR[1]}
    ) as response:
        assert response.status == 403
    assert await login(http, base, *SUPERVISOR) == 200
    token = await form_token(http, f"{base}/en-vivo")
    async with http.post(f"{base}/salir", data={"csrf": "wrong"}) as response:
        assert response.status == 403
    async with http.post(f"{base}/salir", data={"csrf": token},
                         headers={"Origin": "http://evil.example"}) as response:  # fmt: skip
        assert response.status == 403
    async with http.get(f"{base}/en-vivo") as response:
        assert response.status == 200  # still logged in


async def test_wrong_password_throttled(
    running_sqlite: Running, http: aiohttp.ClientSession
) -> None:
    """After the limit even the right password waits; the failures are audited."""
    base = running_sqlite.base
    for _ in range(ACCOUNT_LIMIT):
        assert await login(http, base, "luis", "not-the-password") == 401
    assert await login(http, base, *OPERATOR) == 429
    rows = await running_sqlite.console.db.tx(list_audit)
    assert [row["action"] for row in rows] == ["login_failed"] * ACCOUNT_LIMIT


async def test_unknown_account_fails_like_a_wrong_password(
    running_sqlite: Running, http: aiohttp.ClientSession
) -> None:
    """Nobody learns which usernames exist."""
    assert await login(http, running_sqlite.base, "nadie", "whatever-password") == 401


@pytest.mark.parametrize("path", ["/supervision/frentes", "/supervision/operadores",
                                  "/supervision/rechazados", "/supervision/auditoria",
                                  "/supervision/informes", "/supervision/informes.csv"])  # fmt: skip
async def test_operator_cannot_open_supervisor_pages(
    running_sqlite: Running, http: aiohttp.ClientSession, path: str
) -> None:
    """Operators get 403 on every supervisor page (and on its forms)."""
    assert await login(http, running_sqlite.base, *OPERATOR) == 200
    async with http.get(f"{running_sqlite.base}{path}") as response:
        assert response.status == 403
        assert "solo para supervisores" in await response.text()


async def test_supervisor_registers_a_front_and_an_operator(
    running_sqlite: Running, http: aiohttp.ClientSession
) -> None:
    """The registry takes a front (its secret is never shown whole) and refuses bad input."""
    base = running_sqlite.base
    assert await login(http, base, *SUPERVISOR) == 200
    token = await form_token(http, f"{base}/supervision/frentes")
    secret = "whsec_" + "A" * 44
    form = {"csrf": token, "front_id": "getsemani_plaza", "name": "Plaza", "cuadrante_code": "C9",
            "cuadrante_name": "Cuadrante 9", "status_webhook_url": "https://front.example/api/webhook/x",
            "secret": secret}  # fmt: skip
    async with http.post(f"{base}/supervision/frentes", data=form) as response:
        text = await response.text()
        assert (
            response.status == 200 and "getsemani_plaza" in text and secret not in text
        )
    async with http.post(
        f"{base}/supervision/frentes", data={**form, "secret": "whsec_short"}
    ) as response:
        assert response.status == 400
    token = await form_token(http, f"{base}/supervision/operadores")
    async with http.post(f"{base}/supervision/operadores", data={
        "csrf": token, "username": "maria", "display_name": "María", "role": "operator",
        "password": "una-clave-larga-segura"}) as response:  # fmt: skip
        assert response.status == 200
    async with http.post(f"{base}/supervision/operadores", data={
        "csrf": token, "username": "x", "display_name": "X", "role": "operator",
        "password": "una-clave-larga-segura"}) as response:  # fmt: skip
        assert response.status == 400
    actions = [row["action"] for row in await running_sqlite.console.db.tx(list_audit)]
    assert actions[:2] == ["operator_created", "front_saved"]


async def test_answer_is_signed_delivered_and_audited(
    running: Running, http: aiohttp.ClientSession
) -> None:
    """Dispatched (unit, ETA) reaches the front's webhook signed; view and answer audited."""
    pk = await store_alert(running, http)
    assert await login(http, running.base, *OPERATOR) == 200
    async with http.get(f"{running.base}/incidentes/{pk}") as response:
        page = await response.text()
        assert (
            "+573001234567" in page
            and "&lt;script&gt;" in page
            and "<script>alert" not in page
        )
    token = csrf_of(page)
    data = {
        "csrf": token,
        "status": "dispatched",
        "unit": "Patrulla 12",
        "eta_minutes": "6",
    }
    async with http.post(
        f"{running.base}/incidentes/{pk}/respuesta", data=data
    ) as response:
        assert response.status == 200
    (update,) = await running.webhook.wait_for(1)
    assert update.verified
    assert (
        update.body["status"] == "dispatched" and update.body["unit"] == "Patrulla 12"
    )
    assert update.body["incident_id"] == INCIDENT_ID and update.body["eta_minutes"] == 6
    assert update.body["sent_at"].endswith("-05:00")
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.validate(
        update.body, {**schema, "oneOf": [{"$ref": "#/$defs/statusUpdate"}]}
    )
    # going back is refused; the audit has the view and the answer
    async with http.post(f"{running.base}/incidentes/{pk}/respuesta",
                         data={"csrf": token, "status": "received"}) as response:  # fmt: skip
        assert response.status == 400
    actions = [row["action"] for row in await running.console.db.tx(list_audit)]
    assert actions[:4] == [
        "view_incident",
        "answer",
        "view_incident",
        "login",
    ]  # newest first
    for _ in range(300):  # the worker records the front's answer (bounded wait)
        row = await running.console.db.tx(
            lambda tx: tx.one("SELECT delivery FROM answers")
        )
        if row and row["delivery"] == "delivered":
            break
        await asyncio.sleep(0.05)
    assert row == {"delivery": "delivered"}


async def test_answers_retried_in_order(
    running_sqlite: Running, http: aiohttp.ClientSession
) -> None:
    """A 500 is retried with the same webhook-id and a fresh signature; the next waits."""
    running = running_sqlite
    running.console.answers.jitter = lambda: 0.0
    running.webhook.plan = [500]
    pk = await store_alert(running, http)
    assert await login(http, running.base, *OPERATOR) == 200
    token = await form_token(http, f"{running.base}/incidentes/{pk}")
    for data in ({"status": "received"}, {"status": "on_scene"}):
        async with http.post(
            f"{running.base}/incidentes/{pk}/respuesta", data={"csrf": token, **data}
        ) as response:
            assert response.status == 200
    received = await running.webhook.wait_for(3)
    assert [r.body["status"] for r in received] == ["received", "received", "on_scene"]
    assert received[0].headers["webhook-id"] == received[1].headers["webhook-id"]
    assert all(r.verified for r in received)


async def test_live_events_push_new_alarms(
    running_sqlite: Running, http: aiohttp.ClientSession
) -> None:
    """The live stream carries a stored alarm, with the sound flag for real ones only."""
    running = running_sqlite
    assert await login(http, running.base, *OPERATOR) == 200
    async with http.get(f"{running.base}/en-vivo/eventos") as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        assert b"event: hello" in await stream.content.readuntil(b"\n\n")
        await store_alert(running, http, exercise=True, kind="drill")
        event = (await stream.content.readuntil(b"\n\n")).decode()
    assert event.startswith("event: incident")
    data = json.loads(event.split("data: ", 1)[1])
    assert data["sound"] is False and "SIMULACRO" in data["html"]


async def test_supervisor_pages_and_registry_actions(
    running_sqlite: Running, http: aiohttp.ClientSession
) -> None:
    """Deactivate and reactivate a front, rotate its secret, read refusals and the audit."""
    running = running_sqlite
    base = running.base
    assert await login(http, base, *SUPERVISOR) == 200
    token = await form_token(http, f"{base}/supervision/frentes")
    async with http.post(f"{base}/supervision/frentes/manga_calle_real/activo",
                         data={"csrf": token, "active": "0"}) as response:  # fmt: skip
        assert response.status == 200
    data, headers = signed(alert(), running.secret)
    async with http.post(running.alerts_url, data=data, headers=headers) as response:
        assert response.status == 401
    async with http.post(f"{base}/supervision/frentes/manga_calle_real/activo",
                         data={"csrf": token, "active": "1"}) as response:  # fmt: skip
        assert response.status == 200
    async with http.post(
        f"{base}/supervision/frentes/nadie/activo", data={"csrf": token}
    ) as response:
        assert response.status == 404
    second = "whsec_" + "B" * 44
    form = {"csrf": token, "front_id": "manga_calle_real", "name": "Calle Real",
            "cuadrante_code": "MECAR-E1-C3", "cuadrante_name": "Cuadrante 3",
            "status_webhook_url": running.webhook.url, "secret": second}  # fmt: skip
    async with http.post(f"{base}/supervision/frentes", data=form) as response:
        assert response.status == 200
    rows = await running.console.db.tx(
        lambda tx: tx.all("SELECT id FROM front_secrets ORDER BY id")
    )
    first_id, second_id = rows[0]["id"], rows[1]["id"]
    async with http.post(f"{base}/supervision/frentes/manga_calle_real/secretos/{first_id}/quitar",
                         data={"csrf": token}) as response:  # fmt: skip
        assert response.status == 200
    async with http.post(f"{base}/supervision/frentes/manga_calle_real/secretos/{second_id}/quitar",
                         data={"csrf": token}) as response:  # fmt: skip
        assert response.status == 400  # never the last secret
    async with http.post(f"{base}/supervision/frentes", data={**form, "front_id": "nuevo",
                                                              "secret": ""}) as response:  # fmt: skip
        assert response.status == 400  # a new front needs a secret
    async with http.get(f"{base}/supervision/rechazados") as response:
        assert "frente desconocido o inactivo" in await response.text()
    async with http.get(f"{base}/supervision/frentes") as response:
        row = (
            (await response.text())
            .split('id="frente-manga_calle_real"')[1]
            .split("</tr>")[0]
        )
        assert '<td class="bad">1</td>' in row  # the refusal while it was inactive
    async with http.get(f"{base}/supervision/auditoria") as response:
        text = await response.text()
        assert (
            "activó o desactivó un frente" in text
            and "vio las alertas rechazadas" in text
        )
        assert second not in text


async def test_language_errors_and_health(
    running_sqlite: Running, http: aiohttp.ClientSession
) -> None:
    """English on request, Spanish error pages, a health check for load balancers."""
    base = running_sqlite.base
    async with http.get(f"{base}/salud") as response:
        assert await response.text() == "ok"
    async with http.get(f"{base}/idioma/en") as response:
        assert "Log in" in await response.text()
    assert await login(http, base, *OPERATOR) == 200
    async with http.get(f"{base}/en-vivo") as response:
        assert "Live alarms" in await response.text()
    async with http.get(f"{base}/incidentes/999") as response:
        assert response.status == 404
    async with http.get(f"{base}/incidentes/abc") as response:
        assert response.status == 404
    async with http.get(f"{base}/en-vivo/filas?cuadrante=X") as response:
        assert "No alarms." in await response.text()
    async with http.get(f"{base}/ingresar", allow_redirects=False) as response:
        assert response.headers["Location"] == "/en-vivo"  # already logged in


async def test_behind_tls_cookies_and_origin(
    running_sqlite: Running, http: aiohttp.ClientSession
) -> None:
    """Behind a TLS proxy: __Host- Secure cookies, HSTS, and the https:// origin accepted."""
    from dataclasses import replace

    running = running_sqlite
    running.console.settings = replace(running.console.settings, secure_cookies=True)
    base = running.base
    async with http.get(f"{base}/ingresar") as response:
        token = csrf_of(await response.text())
        assert "max-age" in response.headers["Strict-Transport-Security"]
        login_cookie = response.headers["Set-Cookie"]
    assert "Secure" in login_cookie
    origin = {"Origin": base.replace("http://", "https://")}
    # aiohttp keeps Secure cookies off plain http: send the login token by hand, as the proxy would
    cookie = {"Cookie": f"mfs_ingreso={token}"}
    async with http.post(f"{base}/ingresar", allow_redirects=False, headers={**origin, **cookie},
                         data={"csrf": token, "username": "ana", "password": SUPERVISOR[1]}) as response:  # fmt: skip
        assert response.status == 303
        assert any(c.startswith("__Host-mfs_sesion=") and "Secure" in c
                   for c in response.headers.getall("Set-Cookie"))  # fmt: skip
    async with http.post(f"{base}/ingresar", headers={"Origin": base, **cookie},
                         data={"csrf": token, "username": "ana", "password": "x"}) as response:  # fmt: skip
        assert (
            response.status == 403
        )  # plain http origin while the console is behind TLS


async def test_reports_page_and_csv(
    running_sqlite: Running, http: aiohttp.ClientSession
) -> None:
    """A supervisor sees the month's response times and downloads them as CSV (audited)."""
    running = running_sqlite
    pk = await store_alert(running, http)
    assert await login(http, running.base, *SUPERVISOR) == 200
    token = await form_token(http, f"{running.base}/incidentes/{pk}")
    async with http.post(f"{running.base}/incidentes/{pk}/respuesta",
                         data={"csrf": token, "status": "received"}) as response:  # fmt: skip
        assert response.status == 200
    async with http.get(f"{running.base}/supervision/informes") as response:
        text = await response.text()
        assert response.status == 200 and "MECAR-E1-C3" in text
    async with http.get(f"{running.base}/supervision/informes.csv") as response:
        body = await response.read()
        assert response.headers["Content-Type"].startswith("text/csv")
        assert "attachment" in response.headers["Content-Disposition"]
    lines = body.decode("utf-8-sig").splitlines()
    assert (
        lines[0].startswith("Mes,Cuadrante,Alarmas,Respondidas")
        and ",MECAR-E1-C3,1,1," in lines[1]
    )
    actions = [row["action"] for row in await running.console.db.tx(list_audit)]
    assert actions[:2] == ["export_report", "view_report"]


async def test_live_rows_carry_the_map_point_and_whether_the_alarm_ended(
    running_sqlite: Running, http: aiohttp.ClientSession
) -> None:
    """Each live row has its front's place for the map; a cancelled one is marked ended."""
    base = running_sqlite.base
    data, headers = signed(alert(), running_sqlite.secret)
    async with http.post(
        running_sqlite.alerts_url, data=data, headers=headers
    ) as answer:
        assert answer.status == 200
    assert await login(http, base, *OPERATOR) == 200
    async with http.get(f"{base}/en-vivo/filas") as response:
        row = await response.text()
    assert 'data-lat="10.414" data-lon="-75.5366" data-name="Calle Real"' in row
    assert "data-ended" not in row
    await running_sqlite.console.db.tx(
        lambda tx: tx.run("UPDATE incidents SET front_state = 'cancelled'")
    )
    async with http.get(f"{base}/en-vivo/filas") as response:
        assert 'data-ended="1"' in await response.text()
