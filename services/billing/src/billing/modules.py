"""Per-module configuration: interest regime and document-number code (no module is special)."""

from __future__ import annotations

from dataclasses import dataclass, field

from portal_platform.config import parse_address_map

REGIMES = ("civil", "tax")
DEFAULT_REGIME = "tax"


@dataclass(frozen=True)
class ModuleConfig:
    """Regime (civil: statutory interest; tax: Ordynacja podatkowa) and code per module key."""

    regimes: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, regimes: str, codes: str) -> ModuleConfig:
        parsed = parse_address_map(regimes)
        for module, regime in parsed.items():
            if regime not in REGIMES:
                raise ValueError(f"module {module!r}: regime must be civil or tax, got {regime!r}")
        return cls(parsed, parse_address_map(codes))

    def regime(self, module: str) -> str:
        return self.regimes.get(module, DEFAULT_REGIME)

    def code(self, module: str) -> str:
        return self.codes.get(module) or module.upper()[:6] or "X"
