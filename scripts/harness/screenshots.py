"""README screenshots from the running demo, taken by headless Chromium (Debian's package).

    scripts/screenshots     (installs chromium with apt-get when missing)

It starts the demo stack, presses the street button, lets the police console answer
'dispatched', then photographs the HA dashboard, the integration's page with its own
icon and the police step of the front's options (a dialog, opened with Playwright), logged
in through HA's own auth-callback flow as the web UI is, and the police console into
docs/images/.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
import shutil
import tempfile

import aiohttp

from .browser import chromium, logged_in, open_police_step
from .demo_front import DASHBOARD, DASHBOARD_VIEW, DEMO_LOGIN
from .ha import ROOT
from .stack import DemoStack

IMAGES = ROOT / "docs" / "images"
LOGIN = DEMO_LOGIN
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1280,1600",
    "--lang=es-CO",
    "--virtual-time-budget=20000",
]


async def shoot(url: str, target: Path, profile: Path) -> None:
    """Take one screenshot with headless Chromium."""
    chromium = shutil.which("chromium")
    if chromium is None:
        raise FileNotFoundError("chromium is not installed (apt-get install chromium)")
    process = await asyncio.create_subprocess_exec(
        chromium,
        *CHROMIUM_FLAGS,
        f"--user-data-dir={profile}",
        f"--screenshot={target}",
        url,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    async with asyncio.timeout(120):
        await process.wait()
    if not target.exists():
        raise RuntimeError(f"chromium made no screenshot of {url}")


async def run() -> None:
    """Bring the demo up, make an incident, photograph HA and the police console."""
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mfs-shots-") as folder:
        stack = DemoStack(Path(folder) / "stack")
        try:
            async with aiohttp.ClientSession() as session:
                client = await stack.start(session)
                await stack.press()
                async with asyncio.timeout(60):
                    while not (
                        incidents := (await stack.console_incidents(session))[
                            "incidents"
                        ]
                    ):
                        await asyncio.sleep(0.5)
                await asyncio.sleep(20)  # let the four cameras' evidence arrive
                await session.post(
                    f"{stack.console_url}/api/incidents/{incidents[0]['incident_id']}/status",
                    json={
                        "status": "dispatched",
                        "unit": "MECAR-E1-C3-12",
                        "eta_minutes": 4,
                    },
                )
                await asyncio.sleep(2)
                for path, image in (
                    (f"{DASHBOARD}/{DASHBOARD_VIEW}", "dashboard.png"),
                    # The integrations page: our card, with its own icon from brand/.
                    ("config/integrations/dashboard", "integrations.png"),
                ):
                    await shoot(
                        await logged_in(session, stack.hass.url, path, LOGIN),
                        IMAGES / image,
                        Path(folder) / f"profile-{image}",
                    )
                async with chromium() as browser:  # the police step is a dialog
                    page, _ = await open_police_step(
                        browser, session, stack.hass.url, LOGIN
                    )
                    await page.screenshot(path=IMAGES / "police-step.png")
                await shoot(
                    stack.console_url,
                    IMAGES / "police-console.png",
                    Path(folder) / "profile-console",
                )
                await client.close()
        finally:
            await stack.stop()
    print(f"Screenshots written to {IMAGES}")


def main() -> None:
    """Take the README screenshots."""
    asyncio.run(run())


if __name__ == "__main__":
    main()
