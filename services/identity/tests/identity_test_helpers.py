"""Test helpers for identity: run it with its own JWKS, drive its forms, read its outbox."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import select

from identity.accounts import events
from identity.app import definition
from identity.db import outbox_table
from portal.identity.v1 import identity_pb2
from portal_platform.service import Runtime
from portal_platform.testing.backends import free_port

FAST_ARGON = {"argon2_time_cost": 1, "argon2_memory_kib": 8192, "argon2_parallelism": 1}
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
PASSWORD = "Bardzo-Mocne-Haslo-2026!"
PERSON = {
    "first_name": "Anna",
    "last_name": "Nowak",
    "pesel": "02070803628",
    "email": "anna.nowak@example.pl",
    "phone": "+48 600 100 200",
    "street": "Ludwin 12",
    "postal_code": "21-075",
    "city": "Ludwin",
    "password": PASSWORD,
    "password_confirm": PASSWORD,
    "consent": "1",
}
COMPANY = {
    "company_name": "Spółdzielnia Mieszkaniowa Jezioro",
    "nip": "5261040828",
    "regon": "012100784",
    "representative": "Piotr Zieliński",
    "email": "biuro@jezioro.example.pl",
    "phone": "",
    "street": "Ludwin 40",
    "postal_code": "21-075",
    "city": "Ludwin",
    "password": PASSWORD,
    "password_confirm": PASSWORD,
    "consent": "1",
}
SUBJECT_TYPES = {
    events.ACTIVATION: identity_pb2.ActivationRequested,
    events.PASSWORD_RESET: identity_pb2.PasswordResetRequested,
    events.DUPLICATE: identity_pb2.DuplicateRegistrationAttempted,
}


def identity_settings(port: int, **extra: Any) -> dict[str, Any]:
    """Settings making identity its own issuer on a free port."""
    return {
        "http_port": port,
        "oidc_issuer": f"http://127.0.0.1:{port}",
        **FAST_ARGON,
        **extra,
    }


async def start_identity(make_database: Any, nats_url: str, **extra: Any) -> Runtime:
    """Identity whose gRPC verifies tokens against its own JWKS (unlike start_service)."""
    port = free_port()
    values = {
        "env": "test",
        "nats_url": nats_url,
        "grpc_port": free_port(),
        "database_url": await make_database(definition),
        **identity_settings(port, **extra),
    }
    settings = definition.settings_cls.model_validate(values)
    rt = Runtime(definition, settings)
    await rt.serve()
    await rt.state["keys"].refresh(rt.db, force=True)
    return rt


def base_url(rt: Runtime) -> str:
    return rt.settings.oidc_issuer


def grpc_address(rt: Runtime) -> str:
    assert rt.grpc_server is not None
    return f"127.0.0.1:{rt.grpc_server.port}"


def csrf_of(html: str) -> str:
    found = CSRF_RE.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


async def submit(
    client: httpx.AsyncClient, page: str, action: str, data: dict[str, str]
) -> httpx.Response:
    """GET the page, then POST the form with the page's CSRF token."""
    got = await client.get(page)
    return await client.post(action, data={**data, "csrf_token": csrf_of(got.text)})


async def outbox_events(rt: Runtime, subject: str) -> list[Any]:
    assert rt.db is not None
    async with rt.db.sessions() as session:
        rows = (
            (
                await session.execute(
                    select(outbox_table.c.payload)
                    .where(outbox_table.c.subject == subject)
                    .order_by(outbox_table.c.id)
                )
            )
            .scalars()
            .all()
        )
    cls = SUBJECT_TYPES.get(subject, identity_pb2.AccountChanged)
    return [cls.FromString(r) for r in rows]


async def last_link(rt: Runtime, subject: str, email: str) -> str:
    evs = [e for e in await outbox_events(rt, subject) if e.email == email]
    assert evs, f"no {subject} event for {email}"
    ev = evs[-1]
    return ev.activation_url if subject == events.ACTIVATION else ev.reset_url


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Pkce:
    verifier: str
    challenge: str

    @classmethod
    def new(cls) -> Pkce:
        verifier = secrets.token_urlsafe(48)
        digest = hashlib.sha256(verifier.encode()).digest()
        return cls(verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode())


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


async def make_resident(
    rt: Runtime,
    *,
    email: str = PERSON["email"],
    state: str = "active",
    payers: tuple[str, ...] = (),
    pesel: str = PERSON["pesel"],
) -> str:
    """An activated (or verified) person account created through the use cases; returns its id."""
    from identity.accounts import office, rules
    from identity.accounts import service as accounts

    ctx = rt.state["ctx"]
    reg, errors = rules.parse_person({**PERSON, "email": email, "pesel": pesel})
    assert reg is not None, errors
    async with rt.db.transaction() as session:  # type: ignore[union-attr]
        await accounts.register(session, ctx, reg)
    async with rt.db.transaction() as session:  # type: ignore[union-attr]
        account = await accounts.by_email(session, email)
        assert account is not None
        account.state = "active" if state != "registered" else "registered"
        actor = office.Actor("test-clerk", "Test Clerk", "127.0.0.1")
        if state == "verified":
            await office.verify(session, ctx, actor, account.id, "dowod_osobisty")
        for payer in payers:
            await office.link_payer(session, ctx, actor, account.id, payer)
        return account.id


async def make_staff(
    rt: Runtime,
    *,
    email: str = "urzednik@example.pl",
    role: str = "clerk",
    password: str = PASSWORD,
    totp_secret: str = "",
    must_change_password: bool = False,
) -> str:
    """A clerk or admin; by default one who has already replaced the initial password."""
    from identity.accounts import office

    async with rt.db.transaction() as session:  # type: ignore[union-attr]
        account = await office.create_staff(
            session,
            rt.state["ctx"],
            email=email,
            name="Anna Urzędniczka",
            role=role,
            password=password,
            must_change_password=must_change_password,
        )
        if totp_secret:
            account.totp_secret, account.totp_enabled = totp_secret, True
        return account.id


def mint(
    rt: Runtime, sub: str, *, roles: list[str], payers: list[str] | None = None, **extra: Any
) -> str:
    """A token signed with identity's current key (as if issued by it)."""
    import time

    now = int(time.time())
    claims = {
        "iss": rt.settings.oidc_issuer,
        "aud": "portal",
        "sub": sub,
        "iat": now,
        "exp": now + 300,
        "roles": roles,
        "payers": payers or [],
        "name": "Test",
        **extra,
    }
    return str(rt.state["keys"].sign(claims))
