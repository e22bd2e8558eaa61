"""Login: password check with throttling, lockout, TOTP for staff, replacing a set password."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from identity.accounts import events, totp
from identity.accounts.context import Context
from identity.accounts.models import Account, LoginFailure
from identity.accounts.rules import password_problem
from identity.accounts.schemas import FieldError
from identity.accounts.service import by_email, end_sessions, personal_data
from identity.audit import service as audit
from identity.clock import aware, now
from identity.maintenance import maybe_purge
from portal_platform.errors import DomainError


@dataclass(frozen=True)
class LoginResult:
    """ok | bad_credentials | locked | address_blocked | not_activated | suspended."""

    status: str
    account: Account | None = None
    until: datetime | None = None


async def _address_blocked(session: AsyncSession, ctx: Context, address: str) -> datetime | None:
    window = timedelta(minutes=ctx.settings.address_window_minutes)
    since = now() - window
    count, oldest = (
        await session.execute(
            select(func.count(), func.min(LoginFailure.at)).where(
                LoginFailure.client_address == address, LoginFailure.at > since
            )
        )
    ).one()
    first = aware(oldest)
    if count >= ctx.settings.address_max_failures and first is not None:
        return first + window
    return None


async def authenticate(
    session: AsyncSession, ctx: Context, email: str, password: str, *, client_address: str
) -> LoginResult:
    """Check e-mail and password; count failures and lock after too many in a row."""
    await maybe_purge(
        session, failure_window=timedelta(minutes=ctx.settings.address_window_minutes)
    )
    blocked = await _address_blocked(session, ctx, client_address)
    if blocked is not None:
        return LoginResult("address_blocked", until=blocked)
    account = await by_email(session, email)
    locked_until = aware(account.locked_until) if account else None
    if account is not None and locked_until is not None and locked_until > now():
        return LoginResult("locked", account, locked_until)
    good = ctx.passwords.verify(account.password_hash if account else None, password)
    if not good or account is None:
        session.add(LoginFailure(client_address=client_address[:64], at=now()))
        if account is None:
            return LoginResult("bad_credentials")
        return await count_failure(session, ctx, account, client_address)
    account.failed_logins, account.locked_until = 0, None
    if account.state == "registered":
        return LoginResult("not_activated", account)
    if account.state == "suspended":
        return LoginResult("suspended", account)
    if ctx.passwords.needs_rehash(account.password_hash):
        account.password_hash = ctx.passwords.hash(password)
    return LoginResult("ok", account)


async def count_failure(
    session: AsyncSession, ctx: Context, account: Account, client_address: str
) -> LoginResult:
    account.failed_logins = (account.failed_logins or 0) + 1
    if account.failed_logins < ctx.settings.lockout_after_failures:
        return LoginResult("bad_credentials", account)
    until = now() + timedelta(minutes=ctx.settings.lockout_minutes)
    account.failed_logins, account.locked_until = 0, until
    audit.record(
        session,
        action="login.locked",
        account_id=account.id,
        client_address=client_address,
        after={"locked_until": until.isoformat(), "failures": ctx.settings.lockout_after_failures},
    )
    await events.account_changed(session, ctx.outbox, account, "locked", locked_until=until)
    return LoginResult("locked", account, until)


def record_login(account: Account) -> None:
    account.last_login_at = now()


def needs_second_factor(account: Account) -> bool:
    return account.is_staff


def check_totp(account: Account, code: str) -> bool:
    """Accept a current code once (a replayed code of the same step is refused)."""
    step = totp.matching_step(account.totp_secret, code, last_step=account.totp_last_step)
    if not step:
        return False
    account.totp_last_step = step
    return True


def enrol_totp(
    session: AsyncSession, account: Account, secret: str, code: str, *, client_address: str
) -> bool:
    """Store the secret once the user proved their app generates valid codes."""
    step = totp.matching_step(secret, code)
    if not step:
        return False
    account.totp_secret, account.totp_enabled, account.totp_last_step = secret, True, step
    audit.record(
        session,
        action="totp.enrolled",
        account_id=account.id,
        actor=(account.id, account.display_name),
        client_address=client_address,
    )
    return True


def locked(account: Account) -> bool:
    until = aware(account.locked_until)
    return until is not None and until > now()


async def replace_initial_password(
    session: AsyncSession,
    ctx: Context,
    account: Account,
    password: str,
    confirm: str,
    *,
    client_address: str = "",
) -> list[FieldError]:
    """The owner replaces a password someone else set; other sessions of the account end."""
    if not account.must_change_password:
        raise DomainError("Hasło tego konta zostało już zmienione.", code="account.password")
    problem = password_problem(password, personal_data(account))
    if problem:
        return [FieldError("new_password", problem)]
    if ctx.passwords.verify(account.password_hash, password):
        return [FieldError("new_password", "password_same")]
    if password != confirm:
        return [FieldError("new_password_confirm", "password_mismatch")]
    account.password_hash = ctx.passwords.hash(password)
    account.must_change_password = False
    await end_sessions(session, account)
    audit.record(
        session,
        action="account.password_changed",
        account_id=account.id,
        actor=(account.id, account.display_name),
        client_address=client_address,
        before={"must_change_password": True},
        after={"must_change_password": False},
    )
    await events.account_changed(session, ctx.outbox, account, "password_changed")
    return []
