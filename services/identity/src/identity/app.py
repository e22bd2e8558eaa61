"""Identity as a runnable service: what it serves, produces and consumes."""

from __future__ import annotations

from pathlib import Path

from portal.identity.v1 import identity_pb2, identity_pb2_grpc
from portal_platform.messaging.bus import producer_stream
from portal_platform.rpc.server import Registration
from portal_platform.service import Runtime, ServiceDefinition

from identity.config import Settings
from identity.db import inbox_table, outbox_table
from identity.http import create_app

SERVICE_DIR = Path(__file__).resolve().parents[2]


def grpc_services(rt: Runtime) -> list[Registration]:
    return [
        Registration(
            identity_pb2_grpc.add_IdentityServiceServicer_to_server,
            identity_pb2_grpc.IdentityServiceServicer(),
            identity_pb2.DESCRIPTOR.services_by_name["IdentityService"].full_name,
        ),
    ]


definition = ServiceDefinition(
    name="identity",
    settings_cls=Settings,
    service_dir=SERVICE_DIR,
    outbox_table=outbox_table,
    inbox_table=inbox_table,
    streams=(producer_stream("identity"),),
    grpc=grpc_services,
    http_app=create_app,
)
