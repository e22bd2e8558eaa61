"""The module contract's gRPC side: `portal.module.v1.ModuleService` for a module service.

A module sets its description and writes `summarise` (the payer's dashboard cards and
deadlines); the base authorises every call the same way in every module: DescribeModule
needs an authenticated caller, SummarisePayer the payer's resident or staff.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from portal.module.v1 import module_pb2, module_pb2_grpc
from portal_platform.auth import principal
from portal_platform.db import Database


class ModuleServicerBase(module_pb2_grpc.ModuleServiceServicer, ABC):  # type: ignore[misc]
    description: ClassVar[module_pb2.DescribeModuleResponse]

    def __init__(self, db: Database | None = None) -> None:
        self.db = db

    async def DescribeModule(
        self, request: module_pb2.DescribeModuleRequest, context: Any
    ) -> module_pb2.DescribeModuleResponse:
        principal()
        return self.description

    async def SummarisePayer(
        self, request: module_pb2.SummarisePayerRequest, context: Any
    ) -> module_pb2.SummarisePayerResponse:
        principal().require_payer(request.payer_id)
        if self.db is None:
            return module_pb2.SummarisePayerResponse()
        async with self.db.sessions() as session:
            return await self.summarise(session, request.payer_id)

    @abstractmethod
    async def summarise(
        self, session: AsyncSession, payer_id: str
    ) -> module_pb2.SummarisePayerResponse:
        """Cards and deadlines of the payer in this module (empty when there is nothing)."""
