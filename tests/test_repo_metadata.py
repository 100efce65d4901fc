"""What hassfest and the HACS action would check, since neither can run here."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

ROOT = Path(__file__).parent.parent
COMPONENT = ROOT / "custom_components" / "mi_frente_seguro"

HACS_KEYS = {
    "name",
    "content_in_root",
    "zip_release",
    "filename",
    "hide_default_branch",
    "country",
    "homeassistant",
    "hacs",
    "persistent_directory",
    "render_readme",
}


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _pins(requirements: Path) -> dict[str, str]:
    pins = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        if match := re.fullmatch(r"([A-Za-z0-9_.\-]+)==(\S+)", line.strip()):
            pins[match[1].lower()] = match[2]
    return pins


def _keys(tree: dict[str, Any], prefix: str = "") -> set[str]:
    keys = set()
    for key, value in tree.items():
        keys.add(prefix + key)
        if isinstance(value, dict):
            keys |= _keys(value, f"{prefix}{key}.")
    return keys


def test_manifest_keys_and_order() -> None:
    """Domain, name, then the other keys alphabetically, as hassfest wants."""
    manifest = _json(COMPONENT / "manifest.json")
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["domain"] == COMPONENT.name
    for required in (
        "codeowners",
        "config_flow",
        "documentation",
        "integration_type",
        "iot_class",
        "issue_tracker",
        "requirements",
        "version",
    ):
        assert required in manifest, required
    assert manifest["iot_class"] in {
        "assumed_state", "calculated", "cloud_polling", "cloud_push",
        "local_polling", "local_push",
    }  # fmt: skip
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    assert manifest["config_flow"] is True


def test_manifest_requirements_match_pins() -> None:
    """Every manifest requirement is pinned exactly as in requirements.txt."""
    pins = _pins(ROOT / "requirements.txt")
    requirements = _json(COMPONENT / "manifest.json")["requirements"]
    assert requirements
    for requirement in requirements:
        name, _, version = requirement.partition("==")
        assert version, f"{requirement} is not pinned"
        assert pins[name.lower()] == version


def test_test_requirements_pin_the_ha_pair() -> None:
    """The HA release and the matching test harness are pinned as a pair."""
    assert _pins(ROOT / "requirements.txt")["homeassistant"] == "2026.10.4"
    assert (
        _pins(ROOT / "requirements_test.txt")["pytest-homeassistant-custom-component"]
        == "0.13.375"
    )


def test_hacs_json() -> None:
    """hacs.json uses only HACS's keys, names the integration and a minimum HA."""
    hacs = _json(ROOT / "hacs.json")
    assert set(hacs) <= HACS_KEYS
    assert hacs["name"] == _json(COMPONENT / "manifest.json")["name"]
    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d+", hacs["homeassistant"])


def test_translations_have_the_same_keys() -> None:
    """Spanish and English say the same things."""
    english = _keys(_json(COMPONENT / "translations" / "en.json"))
    spanish = _keys(_json(COMPONENT / "translations" / "es.json"))
    assert english == spanish
    assert "config.step.user.data_description.cuadrante_code" in english


def test_every_config_field_has_a_description() -> None:
    """Every form field has a label and a description in both languages."""
    for language in ("en", "es"):
        translations = _json(COMPONENT / "translations" / f"{language}.json")
        for section in ("config", "options"):
            for step in translations[section]["step"].values():
                assert set(step.get("data", {})) == set(
                    step.get("data_description", {})
                )
