"""ModuleService of water: how the portal shows this module."""

from __future__ import annotations

from typing import Any

from portal.module.v1 import module_pb2, module_pb2_grpc
from portal_platform.auth import principal

DESCRIPTION = module_pb2.DescribeModuleResponse(
    key="water",
    label_pl="Woda",
    label_en="Water",
    order=10,
    section_pl="Woda i ścieki",
    section_en="Water and sewage",
)


class ModuleServicer(module_pb2_grpc.ModuleServiceServicer):
    async def DescribeModule(
        self, request: module_pb2.DescribeModuleRequest, context: Any
    ) -> module_pb2.DescribeModuleResponse:
        return DESCRIPTION

    async def SummarisePayer(
        self, request: module_pb2.SummarisePayerRequest, context: Any
    ) -> module_pb2.SummarisePayerResponse:
        principal().require_payer(request.payer_id)
        return module_pb2.SummarisePayerResponse()
