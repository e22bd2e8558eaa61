"""The modules of this installation (PORTAL_MODULES), as they describe themselves over gRPC."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from gateway.web.service_text import translated
from portal.module.v1 import module_pb2, module_pb2_grpc
from portal_platform.config import parse_address_map
from portal_platform.logging import get_logger
from portal_platform.rpc.client import call, channel

log = get_logger(__name__)
TTL_S = 300.0
RETRY_S = 15.0
# A module's summary of a payer (dashboard cards, deadlines) is reused this long; any form the
# resident sends clears it, so their own reading or declaration shows at once.
SUMMARY_TTL_S = 20.0


@dataclass(frozen=True)
class Module:
    """One module (water, waste, property tax ...): its key, labels and place in menus."""

    key: str
    address: str
    label_pl: str
    label_en: str
    section_pl: str
    section_en: str
    order: int

    def label(self, lang: str) -> str:
        """The menu label; a module without English is looked up in the gateway's catalogue."""
        if lang == "pl":
            return self.label_pl
        return self.label_en or translated(self.label_pl, lang) or self.label_pl

    def section(self, lang: str) -> str:
        """The heading of the module's section (the label when the module gives none)."""
        if lang == "pl":
            return self.section_pl or self.label_pl
        if self.section_en:
            return self.section_en
        return (translated(self.section_pl, lang) if self.section_pl else None) or self.label(lang)

    def in_polish(self, text: str, lang: str) -> bool:
        """True when `text` (its label or section) stays Polish on a page in another language."""
        return lang != "pl" and text in (self.label_pl, self.section_pl)


def fallback(key: str, address: str) -> Module:
    """What a module that does not answer is shown as (its key, last in the menu)."""
    name = key.replace("_", " ").capitalize()
    return Module(key, address, name, name, name, name, 999)


class ModuleRegistry:
    """DescribeModule of every configured module, cached for the app (refreshed every TTL_S)."""

    def __init__(self, modules_setting: str) -> None:
        self.addresses = parse_address_map(modules_setting)
        self._channels: dict[str, Any] = {}
        self._modules: list[Module] = []
        self._valid_until = 0.0
        self._lock = asyncio.Lock()
        self._summaries: dict[tuple[str, str], tuple[float, Any]] = {}

    @property
    def modules(self) -> list[Module]:
        """The modules known so far, in menu order (may be empty before the first refresh)."""
        return self._modules

    def stale(self) -> bool:
        return bool(self.addresses) and time.monotonic() >= self._valid_until

    def stub(self, address: str) -> Any:
        if address not in self._channels:
            self._channels[address] = channel(address)
        return module_pb2_grpc.ModuleServiceStub(self._channels[address])

    async def ensure(self, token: str) -> list[Module]:
        """Refresh the descriptions when stale (one caller at a time) and return them."""
        if not self.stale():
            return self._modules
        async with self._lock:
            if self.stale():
                await self._refresh(token)
        return self._modules

    async def _refresh(self, token: str) -> None:
        async def describe(key: str, address: str) -> tuple[Module, bool]:
            try:
                d = await call(
                    self.stub(address).DescribeModule,
                    module_pb2.DescribeModuleRequest(),
                    token=token,
                    timeout=3,
                )
            except Exception as exc:
                log.warning("module did not describe itself", module=key, error=repr(exc))
                known = next((m for m in self._modules if m.address == address), None)
                return known or fallback(key, address), False
            module = Module(
                key=d.key or key,
                address=address,
                label_pl=d.label_pl or key,
                label_en=d.label_en,
                section_pl=d.section_pl,
                section_en=d.section_en,
                order=d.order,
            )
            return module, True

        found = await asyncio.gather(*(describe(k, a) for k, a in self.addresses.items()))
        self._modules = sorted((m for m, _ok in found), key=lambda m: (m.order, m.key))
        ttl = TTL_S if all(ok for _m, ok in found) else RETRY_S
        self._valid_until = time.monotonic() + ttl

    async def summary(self, module: Module, payer_id: str, token: str, timeout: float) -> Any:
        """SummarisePayer of one module, reused for SUMMARY_TTL_S seconds."""
        key = (payer_id, module.key)
        hit = self._summaries.get(key)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        req = module_pb2.SummarisePayerRequest(payer_id=payer_id)
        found = await call(
            self.stub(module.address).SummarisePayer, req, token=token, timeout=timeout
        )
        if len(self._summaries) > 10_000:
            self._summaries.clear()
        self._summaries[key] = (time.monotonic() + SUMMARY_TTL_S, found)
        return found

    def forget(self, payers: tuple[str, ...]) -> None:
        """Drop the cached summaries of these payers (after the resident sent a form)."""
        for key in [k for k in self._summaries if k[0] in payers]:
            self._summaries.pop(key, None)

    def by_key(self, key: str) -> Module | None:
        return next((m for m in self._modules if m.key == key), None)

    async def close(self) -> None:
        for ch in self._channels.values():
            await ch.close()
