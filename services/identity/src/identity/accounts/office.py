"""Back-office actions of a clerk: verify identity, link/unlink payers, suspend, reinstate."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from identity.accounts import events
from identity.accounts.context import Context
from identity.accounts.models import Account, PayerLink
from identity.accounts.service import end_sessions, get, new_stamp, payers_of
from identity.audit import service as audit
from identity.clock import now
from portal_platform.errors import DomainError, InvalidArgument, NotFound

# What the clerk may record; never the document's number (RODO: data minimisation).
DOCUMENT_TYPES = {
    "dowod_osobisty": "dowód osobisty",
    "paszport": "paszport",
    "mobywatel": "mObywatel",
    "karta_pobytu": "karta pobytu",
    "pelnomocnictwo_krs": "dokument tożsamości reprezentanta i odpis KRS/CEIDG lub pełnomocnictwo",
}
PAYER_RE = re.compile(r"^[A-Z0-9][A-Z0-9/\-]{0,39}$")


@dataclass(frozen=True)
class Actor:
    """The clerk acting, and where from (for the audit log)."""

    id: str
    name: str
    client_address: str = ""

    @property
    def pair(self) -> tuple[str, str]:
        return self.id, self.name


def _snapshot(account: Account, payers: list[str]) -> dict[str, object]:
    return {"state": account.state, "payers": payers, "document_type": account.document_type}


async def _load(session: AsyncSession, account_id: str) -> tuple[Account, list[str]]:
    account = await get(session, account_id)
    if account is None or account.is_staff:
        raise NotFound("Nie ma takiego konta mieszkańca.", field="account_id")
    return account, await payers_of(session, account.id)


async def verify(
    session: AsyncSession, ctx: Context, actor: Actor, account_id: str, document_type: str
) -> Account:
    """Record that an ID document of the given type was checked: active → verified."""
    if document_type not in DOCUMENT_TYPES:
        raise InvalidArgument("Wybierz rodzaj sprawdzonego dokumentu.", field="document_type")
    account, payers = await _load(session, account_id)
    if account.state != "active":
        raise DomainError(
            {
                "registered": "Konto nie zostało jeszcze aktywowane linkiem z e-maila.",
                "verified": "Konto jest już zweryfikowane.",
                "suspended": "Konto jest zawieszone.",
            }.get(account.state, "Nie można zweryfikować konta."),
            code="account.state",
        )
    before = _snapshot(account, payers)
    account.state, account.verified_at, account.verified_by = "verified", now(), actor.name
    account.document_type = document_type
    audit.record(
        session,
        action="account.verified",
        account_id=account.id,
        actor=actor.pair,
        client_address=actor.client_address,
        before=before,
        after=_snapshot(account, payers),
    )
    await events.account_changed(session, ctx.outbox, account, "verified")
    return account


def normalise_payer(payer_id: str) -> str:
    value = payer_id.strip().upper()
    if not PAYER_RE.match(value):
        raise InvalidArgument(
            "Numer płatnika (kartoteki) ma nieprawidłową postać, np. P-000001.", field="payer_id"
        )
    return value


async def link_payer(
    session: AsyncSession, ctx: Context, actor: Actor, account_id: str, payer_id: str
) -> Account:
    """Let the account see this payer's data (linked once; linking again changes nothing)."""
    payer = normalise_payer(payer_id)
    account, payers = await _load(session, account_id)
    if account.state not in ("active", "verified"):
        raise DomainError("Kartotekę można połączyć tylko z aktywnym kontem.", code="account.state")
    if payer in payers:
        return account
    session.add(
        PayerLink(account_id=account.id, payer_id=payer, linked_at=now(), linked_by=actor.id)
    )
    audit.record(
        session,
        action="payer.linked",
        account_id=account.id,
        actor=actor.pair,
        client_address=actor.client_address,
        before=_snapshot(account, payers),
        after=_snapshot(account, sorted([*payers, payer])),
    )
    await events.account_changed(session, ctx.outbox, account, "payer_linked", payer)
    return account


async def unlink_payer(
    session: AsyncSession, ctx: Context, actor: Actor, account_id: str, payer_id: str
) -> Account:
    payer = normalise_payer(payer_id)
    account, payers = await _load(session, account_id)
    link = (
        await session.execute(
            select(PayerLink).where(PayerLink.account_id == account.id, PayerLink.payer_id == payer)
        )
    ).scalar_one_or_none()
    if link is None:
        raise NotFound("To konto nie jest połączone z tą kartoteką.", field="payer_id")
    await session.delete(link)
    # the resident's current tokens still list the payer: end their sessions now
    await end_sessions(session, account)
    audit.record(
        session,
        action="payer.unlinked",
        account_id=account.id,
        actor=actor.pair,
        client_address=actor.client_address,
        before=_snapshot(account, payers),
        after=_snapshot(account, [p for p in payers if p != payer]),
    )
    await events.account_changed(session, ctx.outbox, account, "payer_unlinked", payer)
    return account


async def suspend(
    session: AsyncSession, ctx: Context, actor: Actor, account_id: str, reason: str
) -> Account:
    reason = reason.strip()
    if not reason:
        raise InvalidArgument("Podaj powód zawieszenia konta.", field="reason")
    account, payers = await _load(session, account_id)
    if account.state == "suspended":
        raise DomainError("Konto jest już zawieszone.", code="account.state")
    before = _snapshot(account, payers)
    account.state_before_suspension, account.state = account.state, "suspended"
    account.suspended_reason = reason[:500]
    await end_sessions(session, account)
    audit.record(
        session,
        action="account.suspended",
        account_id=account.id,
        actor=actor.pair,
        client_address=actor.client_address,
        before=before,
        after={**_snapshot(account, payers), "reason": account.suspended_reason},
    )
    await events.account_changed(session, ctx.outbox, account, "suspended")
    return account


async def reinstate(session: AsyncSession, ctx: Context, actor: Actor, account_id: str) -> Account:
    account, payers = await _load(session, account_id)
    if account.state != "suspended":
        raise DomainError("Konto nie jest zawieszone.", code="account.state")
    before = _snapshot(account, payers)
    account.state = account.state_before_suspension or "active"
    account.state_before_suspension, account.suspended_reason = "", ""
    audit.record(
        session,
        action="account.reinstated",
        account_id=account.id,
        actor=actor.pair,
        client_address=actor.client_address,
        before=before,
        after=_snapshot(account, payers),
    )
    await events.account_changed(session, ctx.outbox, account, "reinstated")
    return account


async def create_staff(
    session: AsyncSession,
    ctx: Context,
    *,
    email: str,
    name: str,
    role: str,
    password: str,
    must_change_password: bool = True,
) -> Account:
    """A clerk or admin account (active; TOTP is enrolled at the first login).

    The password is chosen by whoever runs the command, so by default its owner must replace
    it at the first login; only the local demo clerk, whose password is printed for everyone,
    keeps it.
    """
    if role not in ("clerk", "admin"):
        raise InvalidArgument("Rola musi być clerk albo admin.", field="role")
    email = email.strip().lower()
    if (await session.execute(select(Account).where(Account.email == email))).scalar_one_or_none():
        raise DomainError(f"Konto {email} już istnieje.", code="account.exists")
    first, _, last = name.strip().partition(" ")
    account = Account(
        id=str(uuid.uuid4()),
        kind="staff",
        email=email,
        password_hash=ctx.passwords.hash(password),
        state="active",
        roles=role if role == "clerk" else "clerk admin",
        language="pl",
        first_name=first,
        last_name=last,
        company_name="",
        representative="",
        phone="",
        street="",
        postal_code="",
        city="",
        created_at=now(),
        activated_at=now(),
        security_stamp=new_stamp(),
        failed_logins=0,
        totp_secret="",
        totp_enabled=False,
        totp_last_step=0,
        verified_by="",
        document_type="",
        suspended_reason="",
        state_before_suspension="",
        must_change_password=must_change_password,
    )
    session.add(account)
    audit.record(
        session,
        action="staff.created",
        account_id=account.id,
        after={"role": role, "email": email, "must_change_password": must_change_password},
    )
    return account
