"""Test helpers (used by notify's tests and the e2e tests): a real SMTP catcher, fake services."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from portal.identity.v1 import identity_pb2, identity_pb2_grpc
from portal_platform.auth import principal


@dataclass
class MailCatcher:
    """An aiosmtpd server on a free port keeping every message it accepts."""

    host: str = "127.0.0.1"
    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)
    _controller: Any = None

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def start(self) -> MailCatcher:
        from aiosmtpd.controller import Controller

        from portal_platform.testing.backends import free_port

        catcher = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                data = envelope.original_content or envelope.content
                msg = message_from_bytes(data, policy=policy.default)
                catcher.messages.append(msg)
                return "250 Message accepted"

        self.port = self.port or free_port()
        self._controller = Controller(Handler(), hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    async def wait_for(self, count: int, timeout: float = 20.0) -> list[EmailMessage]:
        """Wait until at least `count` messages arrived; return them all."""
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.messages) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"expected {count} mails, got {len(self.messages)}")
            await asyncio.sleep(0.05)
        return list(self.messages)


def text_of(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    return str(part.get_content()) if part is not None else ""


def html_of(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("html",))
    return str(part.get_content()) if part is not None else ""


class FakeIdentity(identity_pb2_grpc.IdentityServiceServicer):  # type: ignore[misc]
    """IdentityService.ListAccountsOfPayer over a dict; only services and staff may ask."""

    def __init__(self, accounts_by_payer: dict[str, Sequence[identity_pb2.Account]]) -> None:
        self.accounts_by_payer = accounts_by_payer
        self.calls = 0

    async def ListAccountsOfPayer(
        self, request: identity_pb2.ListAccountsOfPayerRequest, context: Any
    ) -> identity_pb2.ListAccountsOfPayerResponse:
        self.calls += 1
        principal().require_role("service", "clerk", "admin")
        return identity_pb2.ListAccountsOfPayerResponse(
            accounts=list(self.accounts_by_payer.get(request.payer_id, ()))
        )


def account(
    account_id: str, email: str, payer: str, *, language: str = "pl", name: str = "Jan Kowalski"
) -> identity_pb2.Account:
    return identity_pb2.Account(
        account_id=account_id,
        kind=identity_pb2.ACCOUNT_KIND_PERSON,
        email=email,
        display_name=name,
        state="verified",
        roles=["resident"],
        payer_ids=[payer],
        language=language,
    )


async def start_grpc(registrations: Sequence[Any], issuer: Any) -> Any:
    """A real gRPC server (portal interceptor, token checks) on a free port."""
    from portal_platform.auth import TokenVerifier
    from portal_platform.rpc.server import start_server

    verifier = TokenVerifier(issuer=issuer.issuer, audience=issuer.audience, jwks=issuer.jwks)
    return await start_server(registrations, host="127.0.0.1", port=0, verifier=verifier)


async def eventually(check: Callable[[], Any], timeout: float = 20.0) -> Any:
    """Poll an (async) predicate until it is truthy."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)
