"""Property tax as a runnable service: what it serves, produces, and its commands."""

from __future__ import annotations

from pathlib import Path

from portal.module.v1 import module_pb2, module_pb2_grpc
from portal.property_tax.v1 import property_tax_pb2, property_tax_pb2_grpc
from portal_platform.messaging.bus import CHARGES_STREAM, producer_stream
from portal_platform.rpc.server import Registration
from portal_platform.service import Runtime, ServiceDefinition
from property_tax.assessment.service import Authority
from property_tax.commands import COMMANDS
from property_tax.config import Settings
from property_tax.db import inbox_table, outbox_table
from property_tax.rpc.module import ModuleServicer
from property_tax.rpc.servicers import PropertyTaxServicer

SERVICE_DIR = Path(__file__).resolve().parents[2]


def authority(settings: Settings) -> Authority:
    return Authority(
        settings.authority, settings.authority_address, settings.case_prefix, settings.delivery_days
    )


def grpc_services(rt: Runtime) -> list[Registration]:
    assert rt.db is not None and rt.outbox is not None
    settings = rt.settings
    assert isinstance(settings, Settings)
    return [
        Registration(
            property_tax_pb2_grpc.add_PropertyTaxServiceServicer_to_server,
            PropertyTaxServicer(rt.db, rt.outbox, authority(settings)),
            property_tax_pb2.DESCRIPTOR.services_by_name["PropertyTaxService"].full_name,
        ),
        Registration(
            module_pb2_grpc.add_ModuleServiceServicer_to_server,
            ModuleServicer(rt.db),
            module_pb2.DESCRIPTOR.services_by_name["ModuleService"].full_name,
        ),
    ]


definition = ServiceDefinition(
    name="property_tax",
    settings_cls=Settings,
    service_dir=SERVICE_DIR,
    outbox_table=outbox_table,
    inbox_table=inbox_table,
    streams=(producer_stream("property_tax"), CHARGES_STREAM),
    grpc=grpc_services,
    commands=COMMANDS,
)
