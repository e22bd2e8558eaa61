"""Who may see what: residents their own payers (kartoteki), staff and services everything."""

from __future__ import annotations

from dataclasses import dataclass

from portal_platform.errors import NotFound, PermissionDenied


@dataclass(frozen=True)
class Scope:
    """The caller as the domain sees it; `payers` is None for staff and services."""

    subject: str
    payers: frozenset[str] | None

    @property
    def is_staff(self) -> bool:
        return self.payers is None

    def allows(self, payer_id: str) -> bool:
        return self.payers is None or payer_id in self.payers

    def require_staff(self) -> None:
        if self.payers is not None:
            raise PermissionDenied("Ta operacja jest dostępna tylko dla pracowników urzędu.")

    def require_payer(self, payer_id: str) -> None:
        """A payer (kartoteka) asked for by id: like principal().require_payer."""
        if not self.allows(payer_id):
            raise PermissionDenied("Brak dostępu do tej kartoteki.")

    def require_visible(self, payer_id: str, what: str = "Nie znaleziono punktu poboru.") -> None:
        """Someone else's object is reported as missing, never as forbidden."""
        if not self.allows(payer_id):
            raise NotFound(what)


STAFF = Scope(subject="system", payers=None)
