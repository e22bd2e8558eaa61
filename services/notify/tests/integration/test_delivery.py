"""Delivery from the mail record: SMTP down → retried later, none lost, each sent once."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import select

from notify.app import definition
from notify.mail import service as mail
from notify.mail.delivery import Delivery
from notify.mail.models import MailMessage
from notify.mail.schemas import MailIn, Recipient
from notify.mail.smtp import SmtpConfig, SmtpTransport
from notify.testing import MailCatcher, eventually
from notify.workers import notifier
from portal.identity.v1 import identity_pb2
from portal_platform.messaging.bus import Bus, producer_stream
from portal_platform.messaging.outbox import stamp
from portal_platform.testing.backends import free_port


async def rows(rt) -> list[MailMessage]:
    async with rt.db.sessions() as s:
        return list((await s.execute(select(MailMessage).order_by(MailMessage.id))).scalars())


async def test_smtp_down_mails_are_retried_later_and_none_lost(
    start_service, nats_url, notify_settings
):
    port = free_port()  # nothing listens here yet: the relay is "down"
    rt = await start_service(
        definition, **{**notify_settings, "smtp_url": f"smtp://127.0.0.1:{port}"}
    )
    bus = await Bus.connect(nats_url, name="test-identity")
    await bus.ensure_stream(producer_stream("identity"))
    try:
        for i in range(5):
            ev = identity_pb2.ActivationRequested(
                account_id=f"a{i}", email=f"osoba{i}@example.pl", activation_url=f"http://a/{i}"
            )
            stamp(ev, "identity")
            await bus.publish(
                "portal.identity.activation.requested.v1",
                ev.SerializeToString(),
                msg_id=ev.meta.event_id,
            )

        async def failed_twice() -> bool:
            found = await rows(rt)
            return len(found) == 5 and all(r.attempts >= 2 for r in found)

        await eventually(failed_twice)
        found = await rows(rt)
        assert all(r.status == "pending" and "unreachable" in (r.last_error or "") for r in found)

        catcher = MailCatcher(port=port).start()  # the relay comes back
        try:
            await catcher.wait_for(5, timeout=30)

            async def all_sent() -> bool:
                return all(r.status == "sent" for r in await rows(rt))

            await eventually(all_sent)
            await asyncio.sleep(1.0)
            assert sorted(str(m["To"]) for m in catcher.messages) == [
                f"osoba{i}@example.pl" for i in range(5)
            ]
            found = await rows(rt)
            assert all(r.sent_at is not None and r.last_error is None for r in found)
            assert all(r.attempts >= 3 for r in found)
        finally:
            catcher.stop()
    finally:
        await bus.close()


async def test_a_refused_recipient_fails_permanently_and_a_clerk_can_retry(
    start_service, notify_settings, smtp
):
    rt = await start_service(definition, **notify_settings)
    n = notifier(rt)

    class Refusing:
        async def handle_RCPT(self, server, session, envelope, address, options):
            if address.startswith("nie-ma"):
                return "550 5.1.1 No such user"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            return "250 OK"

    from aiosmtpd.controller import Controller

    port = free_port()
    controller = Controller(Refusing(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        n.delivery.transport = SmtpTransport(SmtpConfig.from_url(f"smtp://127.0.0.1:{port}"))
        async with rt.db.transaction() as s:
            await mail.enqueue(
                s,
                [
                    MailIn(
                        "t:1",
                        Recipient("nie-ma@example.pl"),
                        "password_reset",
                        "account",
                        {"display_name": "", "reset_url": "http://r", "expires_at": None},
                    ),
                    MailIn(
                        "t:2",
                        Recipient("jest@example.pl"),
                        "password_reset",
                        "account",
                        {"display_name": "", "reset_url": "http://r", "expires_at": None},
                    ),
                ],
                n.renderer,
            )
        n.delivery.poke()

        async def settled() -> bool:
            return all(r.status != "pending" for r in await rows(rt))

        await eventually(settled)
        by_to = {r.recipient: r for r in await rows(rt)}
        assert by_to["nie-ma@example.pl"].status == "failed"
        assert by_to["nie-ma@example.pl"].attempts == 1
        assert "550" in by_to["nie-ma@example.pl"].last_error
        assert by_to["jest@example.pl"].status == "sent"

        async with rt.db.transaction() as s:
            again = await mail.retry(s, by_to["nie-ma@example.pl"].id)
        assert again.status == "pending"
    finally:
        controller.stop()


async def test_two_delivery_workers_send_each_mail_once(start_service, notify_settings, smtp):
    rt = await start_service(definition, **{**notify_settings, "delivery_interval_s": 30})
    n = notifier(rt)
    async with rt.db.transaction() as s:
        await mail.enqueue(
            s,
            [
                MailIn(
                    f"bulk:{i}",
                    Recipient(f"r{i}@example.pl"),
                    "password_reset",
                    "account",
                    {"display_name": "", "reset_url": f"http://r/{i}", "expires_at": None},
                )
                for i in range(120)
            ],
            n.renderer,
        )
    transport = SmtpTransport(SmtpConfig.from_url(smtp.url))
    workers = [
        Delivery(
            rt.db, transport, sender="portal@ludwin.example", policy=mail.RetryPolicy(), batch=20
        )
        for _ in range(3)
    ]

    async def drain(w: Delivery) -> None:
        while await w.run_once():
            pass

    await asyncio.gather(*(drain(w) for w in workers), n.delivery.run_once())
    await smtp.wait_for(120)
    await asyncio.sleep(0.5)
    ids = Counter(str(m["Message-ID"]) for m in smtp.messages)
    assert len(ids) == 120 and max(ids.values()) == 1
    assert all(r.status == "sent" for r in await rows(rt))
