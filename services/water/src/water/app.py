"""Water as a runnable service: what it serves, produces and consumes."""

from __future__ import annotations

from pathlib import Path

from portal.module.v1 import module_pb2, module_pb2_grpc
from portal.water.v1 import water_pb2, water_pb2_grpc
from portal_platform.messaging.bus import producer_stream
from portal_platform.rpc.server import Registration
from portal_platform.service import Runtime, ServiceDefinition

from water.config import Settings
from water.db import inbox_table, outbox_table
from water.rpc.module import ModuleServicer

SERVICE_DIR = Path(__file__).resolve().parents[2]


def grpc_services(rt: Runtime) -> list[Registration]:
    return [
        Registration(
            water_pb2_grpc.add_WaterServiceServicer_to_server,
            water_pb2_grpc.WaterServiceServicer(),
            water_pb2.DESCRIPTOR.services_by_name["WaterService"].full_name,
        ),
        Registration(
            module_pb2_grpc.add_ModuleServiceServicer_to_server,
            ModuleServicer(),
            module_pb2.DESCRIPTOR.services_by_name["ModuleService"].full_name,
        ),
    ]


definition = ServiceDefinition(
    name="water",
    settings_cls=Settings,
    service_dir=SERVICE_DIR,
    outbox_table=outbox_table,
    inbox_table=inbox_table,
    streams=(producer_stream("water"),),
    grpc=grpc_services,
)
