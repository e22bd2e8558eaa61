"""Water consumption for the per-m³ method, read from the water service over gRPC."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from grpc import aio

from portal.common.v1 import common_pb2
from portal.water.v1 import water_pb2, water_pb2_grpc
from portal_platform.logging import get_logger
from portal_platform.rpc.client import call, channel
from portal_platform.service_tokens import ServiceTokens

log = get_logger(__name__)


def _d(d: date) -> common_pb2.Date:
    return common_pb2.Date(year=d.year, month=d.month, day=d.day)


class WaterConsumption:
    """Average monthly consumption of a payer in the year before the assessed one."""

    def __init__(self, address: str, tokens: ServiceTokens) -> None:
        self.address = address
        self.tokens = tokens
        self._channel: aio.Channel | None = None

    async def __call__(self, payer_id: str, premises_id: str, year: int) -> Decimal | None:
        if self._channel is None:
            self._channel = channel(self.address)
        stub = water_pb2_grpc.WaterServiceStub(self._channel)
        resp = await call(
            stub.GetConsumption,
            water_pb2.GetConsumptionRequest(
                payer_id=payer_id,
                premises_id=premises_id,
                period_from=_d(date(year - 1, 1, 1)),
                period_to=_d(date(year - 1, 12, 31)),
            ),
            token=await self.tokens.token(),
        )
        try:
            total = Decimal(resp.quantity_m3 or "0")
        except InvalidOperation:
            log.warning("water returned a bad quantity", payer_id=payer_id, value=resp.quantity_m3)
            return None
        if total <= 0:
            return None
        months = len([m for m in resp.months if m.quantity_m3]) or 12
        return total / Decimal(months)

    async def close(self) -> None:
        if self._channel is not None:
            await self._channel.close()
