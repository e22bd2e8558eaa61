"""Waste as a runnable service: what it serves, produces and consumes."""

from __future__ import annotations

from pathlib import Path

from portal.module.v1 import module_pb2, module_pb2_grpc
from portal.waste.v1 import waste_pb2, waste_pb2_grpc
from portal_platform.messaging.bus import producer_stream
from portal_platform.rpc.server import Registration
from portal_platform.service import Runtime, ServiceDefinition

from waste.config import Settings
from waste.db import inbox_table, outbox_table
from waste.rpc.module import ModuleServicer

SERVICE_DIR = Path(__file__).resolve().parents[2]


def grpc_services(rt: Runtime) -> list[Registration]:
    return [
        Registration(
            waste_pb2_grpc.add_WasteServiceServicer_to_server,
            waste_pb2_grpc.WasteServiceServicer(),
            waste_pb2.DESCRIPTOR.services_by_name["WasteService"].full_name,
        ),
        Registration(
            module_pb2_grpc.add_ModuleServiceServicer_to_server,
            ModuleServicer(),
            module_pb2.DESCRIPTOR.services_by_name["ModuleService"].full_name,
        ),
    ]


definition = ServiceDefinition(
    name="waste",
    settings_cls=Settings,
    service_dir=SERVICE_DIR,
    outbox_table=outbox_table,
    inbox_table=inbox_table,
    streams=(producer_stream("waste"),),
    grpc=grpc_services,
)
