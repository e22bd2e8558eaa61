"""Water as a runnable service: what it serves, produces and consumes."""

from __future__ import annotations

from pathlib import Path

from portal.module.v1 import module_pb2, module_pb2_grpc
from portal.water.v1 import water_pb2, water_pb2_grpc
from portal_platform.messaging.bus import CHARGES_STREAM, producer_stream
from portal_platform.rpc.server import Registration
from portal_platform.service import Runtime, ServiceDefinition
from water.config import Settings
from water.db import inbox_table, outbox_table
from water.demo import demo_command
from water.rpc.module import ModuleServicer
from water.rpc.servicers import WaterServicer

SERVICE_DIR = Path(__file__).resolve().parents[2]


def grpc_services(rt: Runtime) -> list[Registration]:
    assert rt.db is not None and rt.outbox is not None
    settings = rt.settings
    assert isinstance(settings, Settings)
    return [
        Registration(
            water_pb2_grpc.add_WaterServiceServicer_to_server,
            WaterServicer(rt.db, rt.outbox, settings.policy()),
            water_pb2.DESCRIPTOR.services_by_name["WaterService"].full_name,
        ),
        Registration(
            module_pb2_grpc.add_ModuleServiceServicer_to_server,
            ModuleServicer(rt.db),
            module_pb2.DESCRIPTOR.services_by_name["ModuleService"].full_name,
        ),
    ]


definition = ServiceDefinition(
    name="water",
    settings_cls=Settings,
    service_dir=SERVICE_DIR,
    outbox_table=outbox_table,
    inbox_table=inbox_table,
    # Water produces its own events and charge requests on billing's intake stream.
    streams=(producer_stream("water"), CHARGES_STREAM),
    grpc=grpc_services,
    commands={"demo": demo_command},
)
