"""Waste as a runnable service: what it serves, produces and consumes, and its commands."""

from __future__ import annotations

from pathlib import Path

from portal.module.v1 import module_pb2, module_pb2_grpc
from portal.waste.v1 import waste_pb2, waste_pb2_grpc
from portal_platform.config import parse_address_map
from portal_platform.messaging.bus import CHARGES_STREAM, producer_stream
from portal_platform.rpc.server import Registration
from portal_platform.service import Runtime, ServiceDefinition
from portal_platform.service_tokens import (
    ClientCredentialsTokens,
    ServiceTokens,
    StaticServiceTokens,
)
from waste.assessment.context import WaterSource, no_water
from waste.commands import COMMANDS
from waste.config import Settings
from waste.db import inbox_table, outbox_table
from waste.rpc.module import ModuleServicer
from waste.rpc.servicers import WasteServicer
from waste.rpc.water import WaterConsumption

SERVICE_DIR = Path(__file__).resolve().parents[2]


def service_tokens(settings: Settings) -> ServiceTokens:
    """A static token when configured, else client credentials against identity."""
    if settings.service_token:
        return StaticServiceTokens(settings.service_token)
    return ClientCredentialsTokens(
        settings.oidc_issuer.rstrip("/") + "/oauth/token",
        settings.service_client_id,
        settings.service_client_secret,
    )


def water_source(rt: Runtime) -> WaterSource:
    """Water consumption over gRPC when a water address is configured, else none."""
    if "water" not in rt.state:
        settings = rt.settings
        assert isinstance(settings, Settings)
        address = parse_address_map(settings.grpc_services).get("water")
        rt.state["water"] = (
            WaterConsumption(address, service_tokens(settings)) if address else no_water
        )
    source: WaterSource = rt.state["water"]
    return source


def grpc_services(rt: Runtime) -> list[Registration]:
    assert rt.db is not None and rt.outbox is not None
    return [
        Registration(
            waste_pb2_grpc.add_WasteServiceServicer_to_server,
            WasteServicer(rt.db, rt.outbox, water_source(rt)),
            waste_pb2.DESCRIPTOR.services_by_name["WasteService"].full_name,
        ),
        Registration(
            module_pb2_grpc.add_ModuleServiceServicer_to_server,
            ModuleServicer(rt.db),
            module_pb2.DESCRIPTOR.services_by_name["ModuleService"].full_name,
        ),
    ]


definition = ServiceDefinition(
    name="waste",
    settings_cls=Settings,
    service_dir=SERVICE_DIR,
    outbox_table=outbox_table,
    inbox_table=inbox_table,
    streams=(producer_stream("waste"), CHARGES_STREAM),
    grpc=grpc_services,
    commands=COMMANDS,
)
