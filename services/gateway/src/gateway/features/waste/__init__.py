"""Section "Odpady": the declaration, the yearly fee in installments with their status, filing a change."""

from gateway.features.waste.routes import router

__all__ = ["router"]
