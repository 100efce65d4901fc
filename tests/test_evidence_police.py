"""Evidence the police can open (issue 17, part 4), through HA's real HTTP stack and auth.

When a camera adds files to an incident: the JSON receiver gets every still and clip as a
signed upload (verified with ``standardwebhooks``) whose SHA-256 is the manifest's, after
the alert; the evidence update carries an expiring link signed by HA
(``async_sign_path``) on the external URL, which opens the file and stops working once it
expires (and never opens another file). Without an external URL the links are null and a
repair issue says where to set one.
"""

from __future__ import annotations

import base64
from datetime import timedelta
import hashlib
import json
from pathlib import Path
from typing import Any

from freezegun import freeze_time
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from custom_components.mi_frente_seguro.const import (
    DOMAIN,
    EVIDENCE_LINK_HOURS,
    ISSUE_EVIDENCE_NO_URL,
)
from custom_components.mi_frente_seguro.frente.evidence import EvidenceFile
from custom_components.mi_frente_seguro.frente.evidence.bundle import BundleUpdate
from custom_components.mi_frente_seguro.frente.evidence.manifest import read_manifest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .const import FRONT_ID
from .evidence import FILES, new_base, write_bundle
from .frente.dispatch.contract import cap_schema
from .frente.dispatch.receiver import Receiver, wait_until
from .helpers import call
from .police import front_with_an_alarm, police_front

EXTERNAL = "https://calle-real.example.org"


async def attach_bundle(
    hass: HomeAssistant, entry: MockConfigEntry, incident: str
) -> Path:
    """Write the incident's bundle and tell the front, as a camera's capture does."""
    folder = await hass.async_add_executor_job(write_bundle, new_base(hass), incident)
    manifest = await hass.async_add_executor_job(read_manifest, folder)
    files: tuple[EvidenceFile, ...] = tuple(manifest.files)
    update = BundleUpdate(
        incident, "cam1", "press", files, (), folder / "manifest.json"
    )
    await entry.runtime_data.cameras._on_update(update)  # noqa: SLF001  (the capture's hook)
    return folder


def uploads(receiver: Receiver) -> list[dict[str, Any]]:
    """Return the verified uploads the receiver took."""
    return [
        json.loads(r.body)
        for r in receiver.requests
        if r.verified and r.webhook_id.startswith("evidence/") and r.answer == "200"
    ]


def evidence_update(receiver: Receiver) -> dict[str, Any]:
    """Return the last evidence update the receiver took."""
    updates = [
        json.loads(r.body)
        for r in receiver.requests
        if not r.webhook_id.startswith("evidence/")
    ]
    return [m for m in updates if "evidence" in m.get("changes", [])][-1]


async def test_every_file_is_uploaded_signed_with_the_manifest_sha256(
    hass: HomeAssistant, receiver: Receiver
) -> None:
    """Every still and clip arrives signed, SHA-256 equal to the manifest, after the alert."""
    hass.config.external_url = EXTERNAL
    entry, incident = await front_with_an_alarm(hass, receiver.url)
    folder = await attach_bundle(hass, entry, incident)
    await wait_until(lambda: len(uploads(receiver)) == len(FILES))
    manifest = json.loads((folder / "manifest.json").read_text())
    listed = {item["file"]: item["sha256"] for item in manifest["files"]}
    for body in uploads(receiver):
        data = base64.b64decode(body["content_base64"])
        assert hashlib.sha256(data).hexdigest() == listed[body["file"]]
        assert body["incident_id"] == incident
        assert body["front_id"] == FRONT_ID
    ids = [r.webhook_id for r in receiver.requests]
    assert (
        ids.index(next(i for i in ids if i.startswith("evidence/"))) > 0
    )  # alert first
    update = evidence_update(receiver)
    still = next(e for e in update["evidence"] if e["kind"] == "snapshot")
    data = FILES["cam1-press.jpg"][1]
    assert still["sha1"] == hashlib.sha1(data).hexdigest()  # noqa: S324  (CAP's digest)
    assert still["size_bytes"] == len(data)
    assert still["download_url"].startswith(
        EXTERNAL + "/api/mi_frente_seguro/evidence/"
    )


async def test_a_signed_link_opens_its_file_until_it_expires(
    hass: HomeAssistant,
    receiver: Receiver,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    """The link opens the file (no token needed), never another one, and then expires."""
    hass.config.external_url = EXTERNAL
    entry, incident = await front_with_an_alarm(hass, receiver.url)
    await attach_bundle(hass, entry, incident)
    await wait_until(lambda: len(uploads(receiver)) == len(FILES))
    update = evidence_update(receiver)
    links = {URL(e["download_url"]).name: e for e in update["evidence"]}
    still = URL(links["cam1-press.jpg"]["download_url"])
    client = await hass_client_no_auth()
    answer = await client.get(still.relative())
    assert answer.status == 200
    assert await answer.read() == FILES["cam1-press.jpg"][1]
    other = still.with_name(
        "cam1-clip.mp4"
    ).relative()  # the same signature, another file
    assert (await client.get(other)).status == 401
    almost = dt_util.utcnow() + timedelta(hours=EVIDENCE_LINK_HOURS - 1)
    with freeze_time(almost, tick=True):
        assert (await client.get(still.relative())).status == 200
    later = dt_util.utcnow() + timedelta(hours=EVIDENCE_LINK_HOURS, seconds=1)
    with freeze_time(later, tick=True):  # HA checks the expiry against the wall clock
        assert (await client.get(still.relative())).status == 401
    assert links["cam1-press.jpg"]["download_expires_at"] is not None


async def test_without_an_external_url_links_are_null_and_a_repair_says_so(
    hass: HomeAssistant, receiver: Receiver
) -> None:
    """No external URL: uploads still go; links are null; the repair issue is raised."""
    hass.config.external_url = None
    hass.config.internal_url = None
    entry, incident = await front_with_an_alarm(hass, receiver.url)
    await attach_bundle(hass, entry, incident)
    await wait_until(lambda: len(uploads(receiver)) == len(FILES))
    update = evidence_update(receiver)
    assert {e["download_url"] for e in update["evidence"]} == {None}
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"{ISSUE_EVIDENCE_NO_URL}_{FRONT_ID}"
    )
    assert issue is not None
    assert issue.translation_key == ISSUE_EVIDENCE_NO_URL


async def test_a_cap_destination_gets_links_inline_stills_and_sha1_valid_cap(
    hass: HomeAssistant, receiver: Receiver
) -> None:
    """CAP with evidence, through the front: valid OASIS CAP 1.2, SHA-1 digests.

    <uri> is the signed link, the still is inline in <derefUri>; the files are uploaded.
    """
    hass.config.external_url = EXTERNAL
    entry = await police_front(hass, receiver.url, police_format="cap")
    opened = await call(hass, "trigger", entry.entry_id)
    assert opened is not None
    incident = str(opened["incident_id"])
    await attach_bundle(hass, entry, incident)
    await wait_until(lambda: len(uploads(receiver)) == len(FILES))
    documents = [
        r.body.decode()
        for r in receiver.requests
        if r.content_type == "application/cap+xml" and b"<resource>" in r.body
    ]
    assert documents
    cap_schema().validate(documents[-1])
    alert = cap_schema().to_dict(documents[-1])
    resources = {r["resourceDesc"].split()[0]: r for r in alert["info"][0]["resource"]}
    still, clip = resources["Foto"], resources["Video"]
    data = FILES["cam1-press.jpg"][1]
    assert still["uri"].startswith(EXTERNAL + "/api/mi_frente_seguro/evidence/")
    assert base64.b64decode(still["derefUri"]) == data
    assert still["digest"] == hashlib.sha1(data).hexdigest()  # noqa: S324  (CAP 1.2)
    assert "derefUri" not in clip
    assert clip["digest"] == hashlib.sha1(FILES["cam1-clip.mp4"][1]).hexdigest()  # noqa: S324
