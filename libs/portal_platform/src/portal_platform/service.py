"""Service runner: `python -m <service> serve | relay | consume | migrate | ...`."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Table

from portal_platform.auth import TokenVerifier
from portal_platform.config import PortalSettings, load_settings
from portal_platform.db import Database, check_connection
from portal_platform.errors import StartupError
from portal_platform.http import HttpServer
from portal_platform.logging import configure_logging, get_logger
from portal_platform.messaging.bus import Bus, StreamSpec
from portal_platform.messaging.inbox import Consumer, Subscription
from portal_platform.messaging.outbox import Outbox
from portal_platform.messaging.relay import Relay
from portal_platform.migrations import upgrade_async
from portal_platform.rpc.server import GrpcServer, Registration, start_server

log = get_logger(__name__)

ACCESS_TOKEN_AUDIENCE = "portal"


@dataclass
class ServiceDefinition:
    """Everything the runner needs to know about one service."""

    name: str
    settings_cls: type[PortalSettings]
    service_dir: Path | None = None  # holds alembic.ini and migrations/; None: no database
    outbox_table: Table | None = None
    inbox_table: Table | None = None
    streams: tuple[StreamSpec, ...] = ()
    grpc: Callable[[Runtime], Sequence[Registration]] | None = None
    subscriptions: Callable[[Runtime], Sequence[Subscription]] | None = None
    http_app: Callable[[Runtime], Any] | None = None
    commands: dict[str, Callable[[Runtime, list[str]], Awaitable[int]]] = field(
        default_factory=dict
    )
    uses_bus: bool = True


class Runtime:
    """A running service: settings, database, bus, outbox, token verifier, servers."""

    def __init__(
        self,
        definition: ServiceDefinition,
        settings: PortalSettings,
        *,
        verifier: TokenVerifier | None = None,
    ) -> None:
        self.definition = definition
        self.settings = settings
        self.db: Database | None = None
        self.bus: Bus | None = None
        self.outbox = (
            Outbox(definition.outbox_table, definition.name)
            if definition.outbox_table is not None
            else None
        )
        self.verifier = verifier or TokenVerifier(
            issuer=settings.oidc_issuer,
            audience=ACCESS_TOKEN_AUDIENCE,
            jwks_url=settings.jwks_url
            or f"{settings.oidc_issuer.rstrip('/')}/.well-known/jwks.json",
        )
        self.grpc_server: GrpcServer | None = None
        self.http_server: HttpServer | None = None
        self.stop_event = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []
        self.relay: Relay | None = None
        self.consumers: list[Consumer] = []
        self.state: dict[str, Any] = {}

    @property
    def name(self) -> str:
        return self.definition.name

    async def open(self, *, migrate: bool | None = None) -> None:
        """Connect to the database (migrating in local mode) and to NATS."""
        d = self.definition
        if d.service_dir is not None:
            self.db = Database(self.settings.database_url)
            await check_connection(self.db.engine, attempts=3)
            if self.settings.run_migrations if migrate is None else migrate:
                try:
                    await upgrade_async(d.service_dir, self.settings.database_url, d.name)
                except Exception as exc:
                    raise StartupError(f"database migration failed: {exc}") from None
        if d.uses_bus:
            self.bus = await Bus.connect(
                self.settings.nats_url,
                name=d.name,
                stream_replicas=self.settings.nats_stream_replicas,
            )
            for spec in d.streams:
                await self.bus.ensure_stream(spec)

    def start_relay(self) -> None:
        assert self.db and self.bus and self.definition.outbox_table is not None
        self.relay = Relay(self.db, self.bus, self.definition.outbox_table, self.definition.streams)
        self.tasks.append(asyncio.create_task(self.relay.run(self.stop_event)))

    def start_consumers(self) -> None:
        if not self.definition.subscriptions:
            return
        assert self.db and self.bus and self.definition.inbox_table is not None
        for sub in self.definition.subscriptions(self):
            consumer = Consumer(self.db, self.bus, self.definition.inbox_table, sub)
            self.consumers.append(consumer)
            self.tasks.append(asyncio.create_task(consumer.run(self.stop_event)))

    async def start_servers(self) -> None:
        if self.definition.grpc:
            self.grpc_server = await start_server(
                self.definition.grpc(self),
                host=self.settings.bind_host,
                port=self.settings.grpc_port,
                verifier=self.verifier,
            )
        if self.definition.http_app:
            self.http_server = HttpServer(
                self.definition.http_app(self), self.settings.bind_host, self.settings.http_port
            )
            try:
                await self.http_server.start()
            except (OSError, SystemExit) as exc:
                raise StartupError(
                    f"cannot listen for HTTP on {self.settings.bind_host}:{self.settings.http_port}: {exc}"
                ) from None

    async def serve(self, *, workers: bool | None = None) -> None:
        """Open, start servers and (by default) the relay and consumers in this process."""
        await self.open()
        await self.start_servers()
        if self.settings.in_process_workers if workers is None else workers:
            if self.definition.outbox_table is not None and self.bus:
                self.start_relay()
            self.start_consumers()

    async def close(self) -> None:
        """Graceful stop: health NOT_SERVING, finish calls, stop workers, close connections."""
        self.stop_event.set()
        if self.grpc_server:
            await self.grpc_server.stop()
        if self.http_server:
            await self.http_server.stop()
        if self.tasks:
            await asyncio.wait(self.tasks, timeout=10)
            for t in self.tasks:
                t.cancel()
        if self.bus:
            await self.bus.close()
        if self.db:
            await self.db.dispose()


async def _until_signalled() -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()


async def _run(definition: ServiceDefinition, command: str, rest: list[str]) -> int:
    settings = load_settings(definition.settings_cls)
    configure_logging(definition.name, json=settings.log_json, level=settings.log_level)
    rt = Runtime(definition, settings)
    try:
        if command == "migrate":
            if definition.service_dir is None:
                return 0
            rt.db = Database(settings.database_url)
            await check_connection(rt.db.engine, attempts=3)
            await upgrade_async(definition.service_dir, settings.database_url, definition.name)
            log.info("migrations applied")
            return 0
        if command == "serve":
            await rt.serve()
            log.info(
                "service started",
                grpc_port=rt.grpc_server.port if rt.grpc_server else None,
                http_port=settings.http_port if rt.http_server else None,
            )
        elif command == "relay":
            await rt.open(migrate=False)
            rt.start_relay()
        elif command == "consume":
            await rt.open(migrate=False)
            rt.start_consumers()
        else:
            await rt.open()
            return await definition.commands[command](rt, rest)
        await _until_signalled()
        log.info("stopping")
        return 0
    finally:
        await rt.close()


def main(definition: ServiceDefinition, argv: list[str] | None = None) -> None:
    """Entry point of `python -m <service>`; start-up errors are one line, exit code 2."""
    parser = argparse.ArgumentParser(prog=f"python -m {definition.name}")
    choices = ["serve", "migrate"]
    if definition.outbox_table is not None:
        choices.append("relay")
    if definition.subscriptions:
        choices.append("consume")
    choices.extend(definition.commands)
    parser.add_argument("command", choices=choices)
    parser.add_argument("args", nargs=argparse.REMAINDER)
    ns = parser.parse_args(argv)
    try:
        code = asyncio.run(_run(definition, ns.command, ns.args))
    except StartupError as exc:
        sys.stderr.write(f"{definition.name}: error: {exc}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        code = 0
    sys.exit(code)
