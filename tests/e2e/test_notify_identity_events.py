"""Real identity → NATS → real notify → SMTP: account mails, and payer mails via ListAccountsOfPayer.

Identity's own use cases register, verify and link an account (its outbox and relay publish the
events); notify consumes them and asks identity over gRPC, with a service token, who the
payer's accounts are. Each event gives exactly one mail.
"""

from __future__ import annotations

import asyncio

import pytest

from identity.accounts import office, rules
from identity.accounts import service as accounts
from identity.app import definition as identity
from notify.app import definition as notify
from notify.testing import MailCatcher, text_of
from portal.common.v1 import common_pb2
from portal.water.v1 import water_pb2
from portal_platform.messaging.bus import Bus, producer_stream
from portal_platform.messaging.outbox import stamp

pytestmark = pytest.mark.timeout(180)
PASSWORD = "Bardzo-Mocne-Haslo-2026!"
PERSON = {
    "first_name": "Anna", "last_name": "Nowak", "pesel": "02070803628",
    "email": "anna.nowak@example.pl", "phone": "+48 600 100 200", "street": "Ludwin 12",
    "postal_code": "21-075", "city": "Ludwin", "password": PASSWORD, "password_confirm": PASSWORD,
    "consent": "1",
}  # fmt: skip


async def test_identity_events_and_payer_mails_through_real_identity(
    start_service, nats_url, issuer
):
    smtp = MailCatcher().start()
    try:
        id_rt = await start_service(
            identity, argon2_time_cost=1, argon2_memory_kib=8192, argon2_parallelism=1
        )
        await start_service(
            notify,
            smtp_url=smtp.url,
            identity_address=f"127.0.0.1:{id_rt.grpc_server.port}",
            service_token=issuer.token("service:notify", roles=["service"], ttl=3600),
            delivery_interval_s=0.1,
            reminders_enabled=False,
        )
        ctx = id_rt.state["ctx"]
        reg, errors = rules.parse_person(PERSON)
        assert reg is not None, errors
        async with id_rt.db.transaction() as s:
            await accounts.register(s, ctx, reg)
        (activation,) = await smtp.wait_for(1, timeout=30)
        assert activation["To"] == "anna.nowak@example.pl"
        assert "Aktywuj konto" in str(activation["Subject"])
        assert f"{id_rt.settings.oidc_issuer.rstrip('/')}/" in text_of(activation)

        async with id_rt.db.transaction() as s:
            account = await accounts.by_email(s, "anna.nowak@example.pl")
            account.state = "active"
            actor = office.Actor("clerk-1", "Anna Urzędniczka", "127.0.0.1")
            await office.verify(s, ctx, actor, account.id, "dowod_osobisty")
            await office.link_payer(s, ctx, actor, account.id, "P-000001")
        async with id_rt.db.transaction() as s:
            await accounts.register(s, ctx, reg)  # the same person again: the owner is told
            await accounts.request_password_reset(s, ctx, "anna.nowak@example.pl")
        await smtp.wait_for(4, timeout=30)

        bus = await Bus.connect(nats_url, name="test-water")
        try:
            await bus.ensure_stream(producer_stream("water"))
            ev = water_pb2.ReadingDecided(
                reading_id="r-1", payer_id="P-000001", meter_serial="WM-77", decision="accepted",
                submitted_m3="15.200", accepted_m3="15.200",
                reading_date=common_pb2.Date(year=2027, month=6, day=25),
            )  # fmt: skip
            stamp(ev, "water")
            await bus.publish(
                "portal.water.reading.accepted.v1", ev.SerializeToString(), msg_id=ev.meta.event_id
            )
        finally:
            await bus.close()
        await smtp.wait_for(5, timeout=30)
        await asyncio.sleep(1.0)
        subjects = sorted(str(m["Subject"]) for m in smtp.messages)
        assert len(subjects) == 5, subjects
        assert all(m["To"] == "anna.nowak@example.pl" for m in smtp.messages)
        assert "Odczyt wodomierza WM-77 przyjęty" in subjects
        assert "Próba rejestracji na Twój adres e-mail" in subjects
        assert "Ustaw nowe hasło do Portalu Komunalnego" in subjects
        assert "Konto zweryfikowane — możesz sprawdzać swoje należności" in subjects
        reading = next(m for m in smtp.messages if "WM-77" in str(m["Subject"]))
        assert "Anna Nowak" in text_of(reading) and "15.200 m³" in text_of(reading)
    finally:
        smtp.stop()
