"""The console's command line (``consola/run`` runs it; ``python -m consola``).

    python -m consola serve [--db URL] [--host 127.0.0.1] [--port 8780] [--behind-tls]
                            [--mqtt mqtts://user:password@broker:8883/prefix --mqtt-id a]
    python -m consola create-supervisor USERNAME [--name NAME] [--password-stdin]
    python -m consola migrate

``--db`` (or ``MFS_CONSOLA_DB``) is ``sqlite:///path`` (the default, under
``$XDG_DATA_HOME/mi-frente-seguro/``) or ``postgresql://user@host:port/db``. Messages are
in Spanish, or English with ``--lang en`` (or ``MFS_LANG=en``). ``--mqtt`` (or
``MFS_CONSOLA_MQTT``, which keeps the password out of the process list) consumes the fronts'
alerts from the city broker with a shared subscription and answers fronts that have no
webhook over it (docs/city-uplink.md); ``--mqtt-id`` names this instance's session (keep it
across restarts), ``--mqtt-ca``/``--mqtt-cert``/``--mqtt-key`` are its TLS files.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Iterator
import contextlib
import getpass
import logging
import os
from pathlib import Path
import signal
import socket
import ssl
import sys

from aiohttp import web

from .auth.passwords import acceptable, hash_password
from .i18n import Lang, pick_lang, t
from .mapa import tiles_source, valid_attribution
from .mqtt.settings import MqttSettings, parse_mqtt
from .runtime import DEFAULT_PORT, Console, Settings
from .storage.accounts import count_supervisors, create_operator
from .storage.db import open_database
from .storage.schema import SCHEMA_VERSION
from .tiempo import utc_now
from .web.app import create_app


def default_db() -> str:
    """Return the database URL used when none is given."""
    if url := os.environ.get("MFS_CONSOLA_DB"):
        return url
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return f"sqlite://{base / 'mi-frente-seguro' / 'consola.sqlite3'}"


def shown_db(url: str) -> str:
    """Return the database URL without its password (for logs and the console)."""
    if "://" in url and "@" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        return f"{scheme}://{credentials.split(':', 1)[0]}@{host}"
    return url


@contextlib.contextmanager
def stop_signals(stop: asyncio.Event) -> Iterator[None]:
    """Set ``stop`` on SIGINT (Ctrl-C) or SIGTERM (a service manager's stop).

    Both are handled here, not left to Python's defaults: a process started in the
    background by a non-interactive shell inherits SIGINT *ignored*, and the default
    SIGTERM ends it without closing the database or the broker's session. Installed
    before the serving line is printed, so a signal sent on reading it is never lost.
    """
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        yield
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


async def serve(args: argparse.Namespace, lang: Lang) -> None:
    """Run the console until interrupted."""
    settings = Settings(args.db, args.host, args.port, args.behind_tls, args.tiles,
                        args.tiles_attribution, args.mqtt_settings)  # fmt: skip
    db = open_database(settings.db_url)
    console = Console(settings, db)
    runner = web.AppRunner(create_app(console), shutdown_timeout=2.0)
    stop = asyncio.Event()
    await runner.setup()
    try:
        with stop_signals(stop):
            site = web.TCPSite(runner, settings.host, settings.port)
            await site.start()
            port = runner.addresses[0][1]
            print(t("cli.serving", lang, url=f"http://{settings.host}:{port}",
                    db=shown_db(settings.db_url)), flush=True)  # fmt: skip
            if settings.mqtt is not None:
                print(t("cli.mqtt", lang, url=settings.mqtt.shown(),
                        topic=settings.mqtt.subscription), flush=True)  # fmt: skip
            if (
                await db.tx(count_supervisors) == 0
            ):  # in the pool's thread: never the loop
                print(t("cli.no_supervisor", lang), flush=True)
            await stop.wait()
    finally:
        await runner.cleanup()
        db.close()


def create_supervisor(args: argparse.Namespace, lang: Lang) -> int:
    """Create a supervisor (the first one, or another); return the exit code."""
    from .web.admin_views import valid_username  # noqa: PLC0415

    username = args.username.strip().lower()
    if not valid_username(username):
        print(t("operators.reason.username", lang), file=sys.stderr)
        return 2
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(t("cli.password", lang))
        if getpass.getpass(t("cli.password_again", lang)) != password:
            print(t("cli.password_mismatch", lang), file=sys.stderr)
            return 2
    if not acceptable(password):
        print(t("operators.reason.password", lang), file=sys.stderr)
        return 2
    db = open_database(args.db)
    try:
        hashed = hash_password(password)
        made = db.tx_sync(
            lambda tx: create_operator(
                tx, username, args.name or username, "supervisor", hashed, now=utc_now()
            )
        )
    finally:
        db.close()
    if made is None:
        print(t("operators.reason.taken", lang), file=sys.stderr)
        return 1
    print(t("cli.created", lang, username=username))
    return 0


def mqtt_settings(
    args: argparse.Namespace, command_line: argparse.ArgumentParser
) -> MqttSettings | None:
    """Return the checked ``--mqtt`` settings (None without one); exit on bad ones."""
    if not args.mqtt:
        return None
    client_id = args.mqtt_id or f"consola-{socket.gethostname()}"[:64]
    try:
        settings = parse_mqtt(
            args.mqtt, client_id, ca_file=args.mqtt_ca, cert_file=args.mqtt_cert,
            key_file=args.mqtt_key,
        )  # fmt: skip
        settings.tls_context()  # the files are readable and match
    except (ValueError, OSError, ssl.SSLError) as err:
        message = str(err) if isinstance(err, ValueError) else type(err).__name__
        command_line.error(f"--mqtt: {message}")
    return settings


COMMANDS = (
    "serve",
    "servir",
    "create-supervisor",
    "crear-supervisor",
    "migrate",
    "migrar",
)


def parser() -> argparse.ArgumentParser:
    """Return the command line's parser."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", default=default_db(), help="sqlite:///path | postgresql://..."
    )
    common.add_argument(
        "--lang", default=os.environ.get("MFS_LANG", "es"), choices=["es", "en"]
    )
    top = argparse.ArgumentParser(prog="consola", description=t("app.title"))
    commands = top.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "serve", aliases=["servir"], parents=[common], help="run it"
    )
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=DEFAULT_PORT, help="0: any free port")
    run.add_argument("--behind-tls", action="store_true",
                     help="a TLS proxy is in front: Secure, __Host- cookies")  # fmt: skip
    run.add_argument("--tiles", default=os.environ.get("MFS_CONSOLA_TILES", ""),
                     help="map tiles, https://tile.example/{z}/{x}/{y}.png (none: a grid)")  # fmt: skip
    run.add_argument(
        "--tiles-attribution",
        default=os.environ.get("MFS_CONSOLA_TILES_ATTRIBUTION", ""),
    )
    run.add_argument("--mqtt", default=os.environ.get("MFS_CONSOLA_MQTT", ""),
                     help="city broker: mqtt(s)://user:password@host:port/prefix")  # fmt: skip
    run.add_argument("--mqtt-id", default=os.environ.get("MFS_CONSOLA_MQTT_ID", ""),
                     help="this instance's MQTT client id (default consola-<host name>)")  # fmt: skip
    run.add_argument("--mqtt-ca", default=None)
    run.add_argument("--mqtt-cert", default=None)
    run.add_argument("--mqtt-key", default=None)
    sup = commands.add_parser(
        "create-supervisor", aliases=["crear-supervisor"], parents=[common]
    )
    sup.add_argument("username")
    sup.add_argument("--name", default="")
    sup.add_argument("--password-stdin", action="store_true")
    commands.add_parser(
        "migrate", aliases=["migrar"], parents=[common], help="update schema"
    )
    return top


def main(argv: list[str] | None = None) -> int:
    """Parse the command line (``serve`` when no command is named) and run it."""
    words = list(sys.argv[1:] if argv is None else argv)
    if not words or (words[0] not in COMMANDS and words[0] not in ("-h", "--help")):
        words.insert(0, "serve")
    command_line = parser()
    args = command_line.parse_args(words)
    if args.command in ("serve", "servir"):
        if args.tiles and tiles_source(args.tiles) is None:
            command_line.error("--tiles: http(s)://host/.../{z}/{x}/{y}.png")
        if valid_attribution(args.tiles_attribution) is None:
            command_line.error(
                "--tiles-attribution: one line of at most 200 characters"
            )
        args.mqtt_settings = mqtt_settings(args, command_line)
    lang = pick_lang(args.lang)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if args.command in ("create-supervisor", "crear-supervisor"):
        return create_supervisor(args, lang)
    if args.command in ("migrate", "migrar"):
        open_database(args.db).close()
        print(t("cli.migrated", lang, version=SCHEMA_VERSION))
        return 0
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args, lang))
    return 0


if __name__ == "__main__":
    sys.exit(main())
