"""Notify as a runnable service: what it serves, produces and consumes."""

from __future__ import annotations

from pathlib import Path

from notify.commands import COMMANDS
from notify.config import Settings
from notify.db import inbox_table, outbox_table
from notify.messaging import consumers
from notify.rpc.servicers import NotifyServicer
from notify.workers import notifier
from portal.notify.v1 import notify_pb2, notify_pb2_grpc
from portal_platform.messaging.bus import producer_stream
from portal_platform.messaging.inbox import Subscription
from portal_platform.rpc.server import Registration
from portal_platform.service import Runtime, ServiceDefinition

SERVICE_DIR = Path(__file__).resolve().parents[2]


def grpc_services(rt: Runtime) -> list[Registration]:
    return [
        Registration(
            notify_pb2_grpc.add_NotifyServiceServicer_to_server,
            NotifyServicer(notifier(rt)),
            notify_pb2.DESCRIPTOR.services_by_name["NotifyService"].full_name,
        ),
    ]


def subscriptions(rt: Runtime) -> list[Subscription]:
    """The event consumers; the delivery and reminder loops run wherever the consumers run."""
    n = notifier(rt)
    n.start_loops()
    return consumers.subscriptions(n.directory, n.renderer, after=n.poke_soon)


definition = ServiceDefinition(
    name="notify",
    settings_cls=Settings,
    service_dir=SERVICE_DIR,
    outbox_table=outbox_table,
    inbox_table=inbox_table,
    streams=(producer_stream("notify"),),
    grpc=grpc_services,
    subscriptions=subscriptions,
    commands=COMMANDS,
)
