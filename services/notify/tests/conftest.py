"""Fixtures of notify's tests: a real SMTP server, a fake identity over real gRPC, notify itself."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from notify.testing import FakeIdentity, MailCatcher, account, start_grpc
from portal.identity.v1 import identity_pb2, identity_pb2_grpc
from portal_platform.rpc.server import Registration

ACCOUNTS = {
    "P-1": [account("acc-1", "jan@example.pl", "P-1")],
    "P-2": [
        account("acc-2", "anna@example.pl", "P-2", name="Anna Nowak"),
        account("acc-3", "john@example.com", "P-2", language="en", name="John Smith"),
    ],
    "P-3": [account("acc-4", "ewa@example.pl", "P-3", name="Ewa Lis")],
}


@pytest.fixture
def smtp() -> Iterator[MailCatcher]:
    catcher = MailCatcher().start()
    yield catcher
    catcher.stop()


@pytest_asyncio.fixture
async def identity(issuer) -> AsyncIterator[tuple[FakeIdentity, str]]:
    fake = FakeIdentity(ACCOUNTS)
    server = await start_grpc(
        [
            Registration(
                identity_pb2_grpc.add_IdentityServiceServicer_to_server,
                fake,
                identity_pb2.DESCRIPTOR.services_by_name["IdentityService"].full_name,
            )
        ],
        issuer,
    )
    yield fake, f"127.0.0.1:{server.port}"
    await server.stop(0)


@pytest.fixture
def notify_settings(smtp, identity, issuer) -> dict:
    """Settings for start_service(definition, **notify_settings)."""
    return {
        "smtp_url": smtp.url,
        "identity_address": identity[1],
        "service_token": issuer.token("notify", roles=["service"], ttl=3600),
        "delivery_interval_s": 0.1,
        "retry_base_s": 0.2,
        "retry_max_s": 1.0,
        "reminders_enabled": False,
        "clerks_email": "urzednicy@ludwin.example",
    }
