"""Billing as a runnable service: what it serves, produces and consumes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from billing.commands import import_statement_command, ksef_build_command, ksef_send_command
from billing.config import Settings
from billing.context import Context
from billing.db import inbox_table, outbox_table
from billing.messaging.consumers import charges_subscription
from billing.payments.providers import make_provider
from billing.rpc.servicers import BillingServicer
from billing.rpc.support import Support
from portal.billing.v1 import billing_pb2, billing_pb2_grpc
from portal_platform.messaging.bus import CHARGES_STREAM, producer_stream
from portal_platform.messaging.inbox import Subscription
from portal_platform.rpc.server import Registration
from portal_platform.service import Runtime, ServiceDefinition

SERVICE_DIR = Path(__file__).resolve().parents[2]


def support(rt: Runtime) -> Support:
    """The objects shared by gRPC, HTTP and the commands (made once per runtime)."""
    if "support" not in rt.state:
        assert rt.db is not None and rt.outbox is not None
        rt.state["support"] = Support(
            db=rt.db,
            ctx=Context.from_settings(rt.settings),
            outbox=rt.outbox,
            provider=make_provider(rt.settings),
            settings=rt.settings,
        )
    s: Support = rt.state["support"]
    return s


def grpc_services(rt: Runtime) -> list[Registration]:
    return [
        Registration(
            billing_pb2_grpc.add_BillingServiceServicer_to_server,
            BillingServicer(support(rt)),
            billing_pb2.DESCRIPTOR.services_by_name["BillingService"].full_name,
        )
    ]


def http_app(rt: Runtime) -> Any:
    from billing.web.app import create_app

    return create_app(support(rt))


def subscriptions(rt: Runtime) -> list[Subscription]:
    assert rt.outbox is not None
    return [charges_subscription(rt.outbox, support(rt).ctx)]


async def import_statement(rt: Runtime, args: list[str]) -> int:
    return await import_statement_command(support(rt), args)


async def ksef_build(rt: Runtime, args: list[str]) -> int:
    return await ksef_build_command(support(rt), args)


async def ksef_send(rt: Runtime, args: list[str]) -> int:
    return await ksef_send_command(support(rt), args)


definition = ServiceDefinition(
    name="billing",
    settings_cls=Settings,
    service_dir=SERVICE_DIR,
    outbox_table=outbox_table,
    inbox_table=inbox_table,
    streams=(producer_stream("billing"), CHARGES_STREAM),
    grpc=grpc_services,
    subscriptions=subscriptions,
    http_app=http_app,
    commands={
        "import-statement": import_statement,
        "ksef-build": ksef_build,
        "ksef-send": ksef_send,
    },
)
