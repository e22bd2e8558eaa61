"""Notify as a runnable service: what it serves, produces and consumes."""

from __future__ import annotations

from pathlib import Path

from portal.notify.v1 import notify_pb2, notify_pb2_grpc
from portal_platform.messaging.bus import producer_stream
from portal_platform.rpc.server import Registration
from portal_platform.service import Runtime, ServiceDefinition

from notify.config import Settings
from notify.db import inbox_table, outbox_table

SERVICE_DIR = Path(__file__).resolve().parents[2]


def grpc_services(rt: Runtime) -> list[Registration]:
    return [
        Registration(
            notify_pb2_grpc.add_NotifyServiceServicer_to_server,
            notify_pb2_grpc.NotifyServiceServicer(),
            notify_pb2.DESCRIPTOR.services_by_name["NotifyService"].full_name,
        ),
    ]


definition = ServiceDefinition(
    name="notify",
    settings_cls=Settings,
    service_dir=SERVICE_DIR,
    outbox_table=outbox_table,
    inbox_table=inbox_table,
    streams=(producer_stream("notify"),),
    grpc=grpc_services,
)
