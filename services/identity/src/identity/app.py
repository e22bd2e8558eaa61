"""Identity as a runnable service: what it serves, produces and consumes."""

from __future__ import annotations

from pathlib import Path

from identity.accounts.context import make_context
from identity.cli import COMMANDS
from identity.config import Settings
from identity.db import inbox_table, load_models, outbox_table
from identity.http import create_app
from identity.rpc.servicers import IdentityServicer
from portal.identity.v1 import identity_pb2, identity_pb2_grpc
from portal_platform.messaging.bus import producer_stream
from portal_platform.rpc.server import Registration
from portal_platform.service import Runtime, ServiceDefinition

SERVICE_DIR = Path(__file__).resolve().parents[2]
load_models()


def grpc_services(rt: Runtime) -> list[Registration]:
    assert isinstance(rt.settings, Settings) and rt.outbox is not None
    ctx = rt.state.setdefault("ctx", make_context(rt.settings, rt.outbox))
    return [
        Registration(
            identity_pb2_grpc.add_IdentityServiceServicer_to_server,
            IdentityServicer(rt, ctx),
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
    commands=dict(COMMANDS),
)
