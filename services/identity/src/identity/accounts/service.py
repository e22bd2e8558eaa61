"""Account use cases: register, activate, resend, reset password, read, export."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from identity.accounts import events
from identity.accounts.context import Context
from identity.accounts.models import Account, OneTimeLink, PayerLink
from identity.accounts.rules import password_problem
from identity.accounts.schemas import CompanyRegistration, FieldError, PersonRegistration
from identity.audit import service as audit
from identity.clock import aware, now
from identity.oidc.models import RefreshToken

ACTIVATION, RESET = "activation", "reset"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_stamp() -> str:
    return secrets.token_hex(16)


async def by_email(session: AsyncSession, email: str) -> Account | None:
    return (
        await session.execute(select(Account).where(Account.email == email.strip().lower()))
    ).scalar_one_or_none()


async def get(session: AsyncSession, account_id: str) -> Account | None:
    try:
        uuid.UUID(account_id)
    except ValueError:
        return None
    return await session.get(Account, account_id)


async def payers_of(session: AsyncSession, account_id: str) -> list[str]:
    rows = await session.execute(
        select(PayerLink.payer_id)
        .where(PayerLink.account_id == account_id)
        .order_by(PayerLink.payer_id)
    )
    return list(rows.scalars())


async def accounts_of_payer(session: AsyncSession, payer_id: str) -> Sequence[Account]:
    rows = await session.execute(
        select(Account)
        .join(PayerLink, PayerLink.account_id == Account.id)
        .where(PayerLink.payer_id == payer_id)
        .order_by(Account.email)
    )
    return rows.scalars().all()


async def list_accounts(
    session: AsyncSession, *, state: str = "", query: str = "", limit: int = 100
) -> Sequence[Account]:
    """Residents' accounts for the back office, newest first, filtered by state and a text
    fragment (staff accounts are not residents: they never wait for verification)."""
    stmt = (
        select(Account)
        .where(Account.roles.like("%resident%"))
        .order_by(Account.created_at.desc())
        .limit(max(1, min(limit, 500)))
    )
    if state:
        stmt = stmt.where(Account.state == state)
    q = query.strip().lower()
    if q:
        like = f"%{q}%"
        stmt = stmt.where(
            or_(
                func.lower(Account.email).like(like),
                func.lower(Account.first_name + " " + Account.last_name).like(like),
                func.lower(Account.company_name).like(like),
                Account.pesel == q,
                Account.nip == q.replace("-", ""),
                Account.regon == q,
            )
        )
    return (await session.execute(stmt)).scalars().all()


async def _new_link(
    session: AsyncSession, account: Account, purpose: str, ttl: timedelta
) -> tuple[str, datetime]:
    """A fresh single-use token; older unused links of the same purpose stop working."""
    await session.execute(
        update(OneTimeLink)
        .where(
            OneTimeLink.account_id == account.id,
            OneTimeLink.purpose == purpose,
            OneTimeLink.used_at.is_(None),
        )
        .values(used_at=now())
    )
    token = secrets.token_urlsafe(32)
    expires = now() + ttl
    session.add(
        OneTimeLink(
            token_hash=hash_token(token),
            account_id=account.id,
            purpose=purpose,
            created_at=now(),
            expires_at=expires,
        )
    )
    return token, expires


async def _send_activation(session: AsyncSession, ctx: Context, account: Account) -> None:
    token, expires = await _new_link(
        session, account, ACTIVATION, timedelta(hours=ctx.settings.activation_ttl_h)
    )
    url = ctx.url("/aktywacja", token=token, lang=account.language)
    await events.activation_requested(session, ctx.outbox, account, url, expires)


async def _duplicate(session: AsyncSession, ctx: Context, existing: Account) -> None:
    await events.duplicate_registration(
        session,
        ctx.outbox,
        existing,
        ctx.settings.gateway_url + "/logowanie",
        ctx.url("/haslo/reset"),
    )


async def register(
    session: AsyncSession,
    ctx: Context,
    reg: PersonRegistration | CompanyRegistration,
    *,
    client_address: str = "",
) -> None:
    """Create the account (state registered) and queue the activation mail.

    An e-mail (or PESEL) already registered changes nothing and queues a mail to the owner
    instead, so the form's answer never tells whether an address exists.
    """
    existing = await by_email(session, reg.email)
    if existing is None and isinstance(reg, PersonRegistration):
        existing = (
            await session.execute(select(Account).where(Account.pesel == reg.pesel))
        ).scalar_one_or_none()
    if existing is not None:
        await _duplicate(session, ctx, existing)
        return
    account = Account(
        id=str(uuid.uuid4()),
        email=reg.email,
        password_hash=ctx.passwords.hash(reg.password),
        state="registered",
        roles="resident",
        language=reg.language,
        phone=reg.phone,
        street=reg.address.street,
        postal_code=reg.address.postal_code,
        city=reg.address.city,
        created_at=now(),
        security_stamp=new_stamp(),
        failed_logins=0,
        totp_secret="",
        totp_enabled=False,
        totp_last_step=0,
        verified_by="",
        document_type="",
        suspended_reason="",
        state_before_suspension="",
    )
    if isinstance(reg, PersonRegistration):
        account.kind, account.first_name, account.last_name, account.pesel = (
            "person",
            reg.first_name,
            reg.last_name,
            reg.pesel,
        )
        account.company_name, account.representative = "", ""
    else:
        account.kind, account.company_name, account.nip, account.regon = (
            "company",
            reg.company_name,
            reg.nip,
            reg.regon,
        )
        account.representative, account.first_name, account.last_name = reg.representative, "", ""
    session.add(account)
    await session.flush()
    audit.record(
        session,
        action="account.registered",
        account_id=account.id,
        actor=(account.id, account.display_name),
        client_address=client_address,
        after={"state": "registered", "kind": account.kind},
    )
    await _send_activation(session, ctx, account)


async def resend_activation(session: AsyncSession, ctx: Context, email: str) -> None:
    """Queue a new activation link if the address belongs to a not yet activated account."""
    account = await by_email(session, email)
    if account is not None and account.state == "registered":
        await _send_activation(session, ctx, account)


@dataclass(frozen=True)
class LinkCheck:
    """Outcome of following a one-time link: ok | invalid | expired | used."""

    status: str
    account: Account | None = None


async def _take_link(
    session: AsyncSession, token: str, purpose: str, *, consume: bool
) -> tuple[LinkCheck, OneTimeLink | None]:
    link = await session.get(OneTimeLink, hash_token(token or ""), with_for_update=consume)
    if link is None or link.purpose != purpose:
        return LinkCheck("invalid"), None
    account = await session.get(Account, link.account_id)
    if link.used_at is not None:
        return LinkCheck("used", account), link
    expires = aware(link.expires_at)
    if expires is None or expires <= now():
        return LinkCheck("expired", account), link
    if consume:
        link.used_at = now()
    return LinkCheck("ok", account), link


async def check_link(session: AsyncSession, token: str, purpose: str) -> LinkCheck:
    return (await _take_link(session, token, purpose, consume=False))[0]


async def activate(
    session: AsyncSession, ctx: Context, token: str, *, client_address: str = ""
) -> LinkCheck:
    """Use an activation link: registered → active."""
    result, _ = await _take_link(session, token, ACTIVATION, consume=True)
    account = result.account
    if result.status != "ok" or account is None:
        return result
    if account.state == "registered":
        account.state, account.activated_at = "active", now()
        audit.record(
            session,
            action="account.activated",
            account_id=account.id,
            actor=(account.id, account.display_name),
            client_address=client_address,
            before={"state": "registered"},
            after={"state": "active"},
        )
        await events.account_changed(session, ctx.outbox, account, "activated")
    return result


async def request_password_reset(session: AsyncSession, ctx: Context, email: str) -> None:
    """Queue a reset link for an existing, not suspended account; answer the same either way."""
    account = await by_email(session, email)
    if account is None or account.state == "suspended":
        return
    token, expires = await _new_link(
        session, account, RESET, timedelta(minutes=ctx.settings.reset_ttl_min)
    )
    url = ctx.url("/haslo/nowe", token=token, lang=account.language)
    await events.password_reset_requested(session, ctx.outbox, account, url, expires)


def personal_data(account: Account) -> list[str]:
    return [
        account.first_name,
        account.last_name,
        account.email,
        account.pesel or "",
        account.company_name,
        account.representative,
        account.nip or "",
        account.regon or "",
    ]


async def reset_password(
    session: AsyncSession,
    ctx: Context,
    token: str,
    password: str,
    confirm: str,
    *,
    client_address: str = "",
) -> tuple[LinkCheck, list[FieldError]]:
    """Set a new password through a reset link; unlocks the account and ends its sessions."""
    result = await check_link(session, token, RESET)
    if result.status != "ok" or result.account is None:
        return result, []
    account = result.account
    problem = password_problem(password, personal_data(account))
    if problem:
        return result, [FieldError("password", problem)]
    if password != confirm:
        return result, [FieldError("password_confirm", "password_mismatch")]
    result, _ = await _take_link(session, token, RESET, consume=True)
    if result.status != "ok":
        return result, []
    account.password_hash = ctx.passwords.hash(password)
    account.failed_logins, account.locked_until = 0, None
    account.must_change_password = False  # the owner chose it through their own mailbox
    await end_sessions(session, account)
    audit.record(
        session,
        action="account.password_reset",
        account_id=account.id,
        actor=(account.id, account.display_name),
        client_address=client_address,
    )
    await events.account_changed(session, ctx.outbox, account, "password_changed")
    return result, []


async def end_sessions(session: AsyncSession, account: Account) -> None:
    """Log the account out everywhere: new security stamp, refresh tokens revoked."""
    account.security_stamp = new_stamp()
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.account_id == account.id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now())
    )


async def export(session: AsyncSession, account: Account) -> dict[str, Any]:
    """Everything identity holds about the account (RODO), without secrets."""
    from identity.audit.models import AuditEntry

    entries = (
        await session.execute(
            select(AuditEntry).where(AuditEntry.account_id == account.id).order_by(AuditEntry.id)
        )
    ).scalars()
    links = (
        await session.execute(select(PayerLink).where(PayerLink.account_id == account.id))
    ).scalars()
    fields = [
        "id",
        "kind",
        "email",
        "state",
        "language",
        "first_name",
        "last_name",
        "pesel",
        "company_name",
        "nip",
        "regon",
        "representative",
        "phone",
        "street",
        "postal_code",
        "city",
        "created_at",
        "activated_at",
        "verified_at",
        "verified_by",
        "document_type",
        "last_login_at",
    ]
    return {
        "account": {f: _plain(getattr(account, f)) for f in fields}
        | {"roles": account.role_list, "second_factor": account.totp_enabled},
        "payers": [
            {"payer_id": link.payer_id, "linked_at": _plain(link.linked_at)} for link in links
        ],
        "history": [
            {
                "at": _plain(e.at),
                "action": e.action,
                "by": e.actor_name,
                "client_address": e.client_address,
            }
            for e in entries
        ],
    }


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return aware(value).isoformat()  # type: ignore[union-attr]
    return value
