"""Billing as a runnable service: what it serves, produces and consumes."""

from __future__ import annotations

from pathlib import Path

from billing.config import Settings
from billing.context import Context
from billing.db import inbox_table, outbox_table
from billing.messaging.consumers import charges_subscription
from billing.rpc.servicers import BillingServicer
from portal.billing.v1 import billing_pb2, billing_pb2_grpc
from portal_platform.messaging.bus import CHARGES_STREAM, producer_stream
from portal_platform.rpc.server import Registration
from portal_platform.service import Runtime, ServiceDefinition

SERVICE_DIR = Path(__file__).resolve().parents[2]


def grpc_services(rt: Runtime) -> list[Registration]:
    assert rt.db is not None
    return [
        Registration(
            billing_pb2_grpc.add_BillingServiceServicer_to_server,
            BillingServicer(rt.db),
            billing_pb2.DESCRIPTOR.services_by_name["BillingService"].full_name,
        )
    ]


def subscriptions(rt: Runtime) -> list:
    assert rt.outbox is not None
    return [charges_subscription(rt.outbox, Context.from_settings(rt.settings))]


definition = ServiceDefinition(
    name="billing",
    settings_cls=Settings,
    service_dir=SERVICE_DIR,
    outbox_table=outbox_table,
    inbox_table=inbox_table,
    streams=(producer_stream("billing"), CHARGES_STREAM),
    grpc=grpc_services,
    subscriptions=subscriptions,
)
