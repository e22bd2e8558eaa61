"""ModuleService of waste: how the portal shows this module."""

from __future__ import annotations

from typing import Any

from portal.module.v1 import module_pb2, module_pb2_grpc
from portal_platform.auth import principal

DESCRIPTION = module_pb2.DescribeModuleResponse(
    key="waste",
    label_pl="Odpady",
    label_en="Waste",
    order=20,
    section_pl="Odpady komunalne",
    section_en="Municipal waste",
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
