"""Commands: `create-user`, `demo` (local mode only) and `rotate-keys`."""

from __future__ import annotations

import argparse
import secrets
import sys
import uuid
from pathlib import Path

from sqlalchemy import select

from identity.accounts import office
from identity.accounts import service as accounts
from identity.accounts.context import make_context
from identity.accounts.models import Account, PayerLink
from identity.clock import now
from identity.config import Settings
from identity.oidc import keys
from portal_platform.errors import DomainError
from portal_platform.service import Runtime

DEMO_RESIDENT = ("jan.kowalski@example.pl", "Demo-Mieszkaniec-2026", "44051401359")
DEMO_CLERK = ("urzednik@example.pl", "Demo-Urzednik-2026")
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
DEMO_PAYER = "P-000001"


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")


def _ctx(rt: Runtime):  # type: ignore[no-untyped-def]
    assert isinstance(rt.settings, Settings) and rt.outbox is not None
    return make_context(rt.settings, rt.outbox)


async def create_user(rt: Runtime, argv: list[str]) -> int:
    """Create a clerk or admin; prints a generated one-time password unless --password-file."""
    parser = argparse.ArgumentParser(prog="python -m identity create-user")
    parser.add_argument("--role", choices=["clerk", "admin"], required=True)
    parser.add_argument("--email", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--password-file", type=Path)
    ns = parser.parse_args(argv)
    password = (
        ns.password_file.read_text(encoding="utf-8").strip()
        if ns.password_file
        else secrets.token_urlsafe(15)
    )
    if len(password) < 12:
        _out("error: the password must have at least 12 characters")
        return 2
    assert rt.db is not None
    try:
        async with rt.db.transaction() as session:
            account = await office.create_staff(
                session, _ctx(rt), email=ns.email, name=ns.name, role=ns.role, password=password
            )
    except DomainError as exc:
        _out(f"error: {exc.message}")
        return 1
    _out(
        f"created {ns.role} {account.email} (id {account.id}); at the first login the TOTP app"
        " is set up and the password must be changed"
    )
    if not ns.password_file:
        _out(f"one-time password: {password}")
    return 0


async def demo(rt: Runtime, argv: list[str]) -> int:
    """Demo data for local runs: a verified resident linked to P-000001 and a clerk."""
    if not rt.settings.is_local:
        _out("error: demo data is only for local mode (PORTAL_ENV=local)")
        return 2
    assert rt.db is not None
    ctx = _ctx(rt)
    async with rt.db.transaction() as session:
        if await accounts.by_email(session, DEMO_RESIDENT[0]) is None:
            resident = Account(
                id=str(uuid.uuid4()),
                kind="person",
                email=DEMO_RESIDENT[0],
                password_hash=ctx.passwords.hash(DEMO_RESIDENT[1]),
                state="verified",
                roles="resident",
                language="pl",
                first_name="Jan",
                last_name="Kowalski",
                pesel=DEMO_RESIDENT[2],
                company_name="",
                representative="",
                phone="",
                street="Ludwin 1",
                postal_code="21-075",
                city="Ludwin",
                created_at=now(),
                activated_at=now(),
                verified_at=now(),
                verified_by="dane demonstracyjne",
                document_type="dowod_osobisty",
                security_stamp=accounts.new_stamp(),
                failed_logins=0,
                totp_secret="",
                totp_enabled=False,
                totp_last_step=0,
                suspended_reason="",
                state_before_suspension="",
            )
            session.add(resident)
            await session.flush()
            session.add(
                PayerLink(
                    account_id=resident.id, payer_id=DEMO_PAYER, linked_at=now(), linked_by="demo"
                )
            )
        clerk = await accounts.by_email(session, DEMO_CLERK[0])
        if clerk is None:
            clerk = await office.create_staff(
                session,
                ctx,
                email=DEMO_CLERK[0],
                name="Anna Urzędniczka",
                role="clerk",
                password=DEMO_CLERK[1],
                must_change_password=False,  # the demo's credentials are printed for everyone
            )
            clerk.totp_secret, clerk.totp_enabled = DEMO_TOTP_SECRET, True
    _out(f"resident: {DEMO_RESIDENT[0]} / {DEMO_RESIDENT[1]} (verified, payer {DEMO_PAYER})")
    _out(
        f"clerk:    {DEMO_CLERK[0]} / {DEMO_CLERK[1]} (TOTP secret {DEMO_TOTP_SECRET}; "
        f"code: python -c \"import pyotp; print(pyotp.TOTP('{DEMO_TOTP_SECRET}').now())\")"
    )
    return 0


async def rotate_keys(rt: Runtime, argv: list[str]) -> int:
    """Add a new signing key; the previous one stays in the JWKS until the next rotation."""
    assert rt.db is not None
    seal = keys.KeySeal(rt.settings.secret_key)
    async with rt.db.transaction() as session:
        await keys.ensure_key(session, seal)
        kid = await keys.rotate(session, seal)
    async with rt.db.sessions() as session:
        published = [k.kid for k in await keys.published(session)]
        count = len((await session.execute(select(Account.id))).all())
    _out(
        f"new signing key {kid}; published: {', '.join(published)} ({count} accounts keep their sessions)"
    )
    return 0


COMMANDS = {"create-user": create_user, "demo": demo, "rotate-keys": rotate_keys}
