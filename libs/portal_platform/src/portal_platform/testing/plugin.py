"""Pytest plugin of the portal: backends, per-test databases, NATS isolation, services."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
import pytest_asyncio

from portal_platform.messaging.bus import Bus
from portal_platform.service import Runtime, ServiceDefinition
from portal_platform.testing.backends import Backends, discover, free_port
from portal_platform.testing.databases import DatabaseFactory
from portal_platform.testing.keys import TestIssuer

_backends: Backends | None = None


def _get_backends() -> Backends:
    global _backends
    if _backends is None:
        _backends = discover()
    return _backends


def pytest_report_header(config: pytest.Config) -> str:
    return _get_backends().describe()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _backends is not None:
        terminalreporter.write_line(_backends.describe())


def pytest_unconfigure(config: pytest.Config) -> None:
    if _backends is not None:
        _backends.close()


@pytest.fixture(scope="session")
def backends() -> Backends:
    return _get_backends()


@pytest.fixture(scope="session")
def on_postgres(backends: Backends) -> bool:
    return backends.database_admin_url is not None


@pytest_asyncio.fixture(scope="session")
async def database_factory(backends: Backends) -> AsyncIterator[DatabaseFactory]:
    factory = DatabaseFactory(backends.database_admin_url)
    yield factory
    await factory.close()


@pytest_asyncio.fixture
async def make_database(
    database_factory: DatabaseFactory,
) -> AsyncIterator[Callable[[ServiceDefinition], Awaitable[str]]]:
    """`await make_database(definition)` → URL of a clean, migrated database for this test."""
    made: list[str] = []

    async def make(definition: ServiceDefinition) -> str:
        assert definition.service_dir is not None
        url = await database_factory.create(definition.name, definition.service_dir)
        made.append(url)
        return url

    yield make
    for url in made:
        await database_factory.drop(url)


@pytest_asyncio.fixture
async def nats_url(backends: Backends) -> AsyncIterator[str]:
    """The NATS URL, with every PORTAL_* stream deleted before the test."""
    bus = await Bus.connect(backends.nats_url, name="test-cleanup")
    await bus.delete_streams("PORTAL_")
    await bus.close()
    yield backends.nats_url


@pytest.fixture(scope="session")
def issuer() -> TestIssuer:
    return TestIssuer()


@pytest_asyncio.fixture
async def start_service(
    make_database: Callable[[ServiceDefinition], Awaitable[str]],
    nats_url: str,
    issuer: TestIssuer,
) -> AsyncIterator[Callable[..., Awaitable[Runtime]]]:
    """`await start_service(definition, **settings)` runs a service in this test's loop."""
    from portal_platform.auth import TokenVerifier

    running: list[Runtime] = []

    async def start(definition: ServiceDefinition, **overrides: Any) -> Runtime:
        values: dict[str, Any] = {
            "env": "test",
            "nats_url": nats_url,
            "grpc_port": free_port(),
            "http_port": free_port(),
            "oidc_issuer": issuer.issuer,
        }
        if definition.service_dir is not None:
            values["database_url"] = await make_database(definition)
        values.update(overrides)
        settings = definition.settings_cls.model_validate(values)
        verifier = TokenVerifier(issuer=issuer.issuer, audience=issuer.audience, jwks=issuer.jwks)
        rt = Runtime(definition, settings, verifier=verifier)
        running.append(rt)
        await rt.serve()
        return rt

    yield start
    for rt in reversed(running):
        await rt.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Iterator[str]:
    path = os.path.abspath("test-artifacts")
    os.makedirs(path, exist_ok=True)
    yield path
