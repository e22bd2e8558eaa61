"""Each event of identity, water and billing produces exactly one mail with the right content."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from notify.app import definition
from notify.mail.models import MailMessage
from notify.testing import eventually, html_of, text_of
from portal.billing.v1 import billing_pb2
from portal.common.v1 import common_pb2
from portal.identity.v1 import identity_pb2
from portal.water.v1 import water_pb2
from portal_platform.messaging.bus import Bus, producer_stream
from portal_platform.messaging.outbox import stamp


async def publish(bus: Bus, subject: str, event, producer: str, *, msg_id: str | None = None):
    stamp(event, producer)
    await bus.publish(subject, event.SerializeToString(), msg_id=msg_id or event.meta.event_id)
    return event


def d(y: int, m: int, day: int) -> common_pb2.Date:
    return common_pb2.Date(year=y, month=m, day=day)


async def mail_rows(rt) -> list[MailMessage]:
    async with rt.db.sessions() as s:
        return list((await s.execute(select(MailMessage).order_by(MailMessage.id))).scalars())


async def test_every_event_gives_exactly_one_mail_with_its_content(
    start_service, nats_url, smtp, notify_settings
):
    rt = await start_service(definition, **notify_settings)
    bus = await Bus.connect(nats_url, name="test-producers")
    for producer in ("identity", "water", "billing"):
        await bus.ensure_stream(producer_stream(producer))
    expires = datetime.now(UTC) + timedelta(hours=24)
    try:
        activation = identity_pb2.ActivationRequested(
            account_id="new-1",
            email="nowy@example.pl",
            display_name="Zofia Nowa",
            activation_url="http://127.0.0.1:8002/aktywacja?token=abc&x=1",
            language="pl",
        )
        activation.expires_at.FromDatetime(expires)
        await publish(bus, "portal.identity.activation.requested.v1", activation, "identity")
        reset = identity_pb2.PasswordResetRequested(
            account_id="acc-3",
            email="john@example.com",
            display_name="John Smith",
            reset_url="http://127.0.0.1:8002/haslo?token=r1",
            language="en",
        )
        reset.expires_at.FromDatetime(expires)
        await publish(bus, "portal.identity.password_reset.requested.v1", reset, "identity")
        await publish(
            bus,
            "portal.identity.registration.duplicate.v1",
            identity_pb2.DuplicateRegistrationAttempted(
                account_id="acc-1",
                email="jan@example.pl",
                display_name="Jan Kowalski",
                login_url="http://127.0.0.1:8000/logowanie",
                reset_url="http://127.0.0.1:8002/haslo",
            ),
            "identity",
        )
        for decision, accepted, reason in (
            ("accepted", "123.456", ""),
            ("corrected", "120.000", "Zdjęcie licznika pokazuje 120 m³"),
            ("rejected", "", "Odczyt niższy niż poprzedni"),
        ):
            await publish(
                bus,
                f"portal.water.reading.{decision}.v1",
                water_pb2.ReadingDecided(
                    reading_id=f"r-{decision}",
                    payer_id="P-1",
                    premises_id="PR-1",
                    meter_serial="WM-0042",
                    submitted_m3="123.456",
                    accepted_m3=accepted,
                    reading_date=d(2027, 6, 20),
                    decision=decision,
                    reason=reason,
                ),
                "water",
            )
        docs = [
            ("FV/W/2027/06/000123", "water", billing_pb2.DOCUMENT_KIND_INVOICE, False, 18452),
            ("ZAW/O/2027/000045", "waste", billing_pb2.DOCUMENT_KIND_FEE_NOTICE, False, 62400),
            ("UPO/2027/000007", "waste", billing_pb2.DOCUMENT_KIND_FEE_NOTICE, True, 15600),
        ]
        for number, module, kind, reminder, gross in docs:
            await publish(
                bus,
                "portal.billing.document.issued.v1",
                billing_pb2.DocumentIssued(
                    document_id=number,
                    payer_id="P-1",
                    module=module,
                    document_kind=kind,
                    number=number,
                    title=f"Dokument {number}",
                    gross_grosze=gross,
                    due_date=d(2027, 7, 15),
                    is_reminder=reminder,
                ),
                "billing",
            )
        payment = await publish(
            bus,
            "portal.billing.payment.settled.v1",
            billing_pb2.PaymentEvent(
                payment_id="pay-1",
                payer_id="P-2",
                amount_grosze=123456,
                channel="online",
                status="settled",
            ),
            "billing",
        )
        # A redelivered event (another message id: JetStream dedup bypassed) has no second mail.
        await publish(
            bus, "portal.billing.payment.settled.v1", payment, "billing", msg_id=str(uuid.uuid4())
        )

        # 3 identity + 3 readings + 3 documents to P-1 (one account) + payment to P-2 (two accounts)
        await smtp.wait_for(11)
        await asyncio.sleep(1.0)
        assert len(smtp.messages) == 11

        (act,) = smtp.to("nowy@example.pl")
        assert "Aktywuj konto" in act["Subject"]
        assert "http://127.0.0.1:8002/aktywacja?token=abc&x=1" in text_of(act)
        assert 'href="http://127.0.0.1:8002/aktywacja?token=abc&amp;x=1"' in html_of(act)
        assert "Gmina Ludwin" in text_of(act)
        assert "Zmień ustawienia" not in text_of(act)  # mandatory: no opt-out line

        (rst,) = [m for m in smtp.to("john@example.com") if "password" in str(m["Subject"])]
        assert rst["Subject"] == "Set a new password for the Municipal Portal"
        assert "http://127.0.0.1:8002/haslo?token=r1" in text_of(rst)

        jan = smtp.to("jan@example.pl")
        subjects = sorted(str(m["Subject"]) for m in jan)
        assert len(jan) == 7
        assert "Próba rejestracji na Twój adres e-mail" in subjects
        assert "Odczyt wodomierza WM-0042 przyjęty" in subjects
        assert "Odczyt wodomierza WM-0042 poprawiony przez urzędnika" in subjects
        assert "Odczyt wodomierza WM-0042 odrzucony — podaj go ponownie" in subjects
        assert "Nowy dokument FV/W/2027/06/000123 w Portalu Komunalnym" in subjects
        assert "Nowe zawiadomienie o opłacie za odpady ZAW/O/2027/000045" in subjects
        assert "Upomnienie UPO/2027/000007 — zaległa należność" in subjects
        corrected = next(m for m in jan if "poprawiony" in str(m["Subject"]))
        body = text_of(corrected)
        assert "123.456 m³" in body and "120.000 m³" in body and "Zdjęcie licznika" in body
        assert "20 czerwca 2027" in body
        invoice = next(m for m in jan if "FV/W/2027" in str(m["Subject"]))
        assert "184,52\u00a0zł" in text_of(invoice)
        assert "15 lipca 2027" in text_of(invoice)
        assert "/powiadomienia" in text_of(invoice)  # optional: the opt-out line

        (anna,) = smtp.to("anna@example.pl")
        assert anna["Subject"] == "Wpłata 1 234,56 zł zaksięgowana"
        assert "płatność online" in text_of(anna)
        john_payment = [m for m in smtp.to("john@example.com") if "Payment" in str(m["Subject"])]
        assert len(john_payment) == 1 and "PLN 1,234.56" in text_of(john_payment[0])

        rows = await mail_rows(rt)
        assert len(rows) == 11
        assert all(r.status == "sent" and r.attempts == 1 for r in rows)
        assert {r.template for r in rows} >= {
            "activation",
            "password_reset",
            "duplicate_registration",
            "reading_accepted",
            "reading_corrected",
            "reading_rejected",
            "document_issued",
            "fee_notice",
            "dunning",
            "payment_settled",
        }
    finally:
        await bus.close()


async def test_preferences_switch_off_optional_mails_but_not_mandatory(
    start_service, nats_url, smtp, notify_settings
):
    rt = await start_service(definition, **notify_settings)
    from notify.preferences import service as prefs

    async with rt.db.transaction() as s:
        await prefs.put(s, "acc-4", prefs.Choice(readings=False, documents=True))
    bus = await Bus.connect(nats_url, name="test-producers")
    try:
        await bus.ensure_stream(producer_stream("water"))
        await bus.ensure_stream(producer_stream("identity"))
        await publish(
            bus,
            "portal.water.reading.accepted.v1",
            water_pb2.ReadingDecided(
                reading_id="r-x",
                payer_id="P-3",
                meter_serial="WM-1",
                decision="accepted",
                submitted_m3="1",
                accepted_m3="1",
                reading_date=d(2027, 6, 1),
            ),
            "water",
        )
        await publish(
            bus,
            "portal.identity.password_reset.requested.v1",
            identity_pb2.PasswordResetRequested(
                account_id="acc-4", email="ewa@example.pl", reset_url="http://r", language="pl"
            ),
            "identity",
        )
        await eventually(lambda: _processed(rt, 2))
        await smtp.wait_for(1)
        await asyncio.sleep(0.5)
        assert [str(m["Subject"]) for m in smtp.messages] == [
            "Ustaw nowe hasło do Portalu Komunalnego"
        ]
    finally:
        await bus.close()


def _processed(rt, n: int) -> bool:
    return sum(c.processed for c in rt.consumers) >= n


def account_changed(
    change: str, account_id: str, email: str, **fields
) -> identity_pb2.AccountChanged:
    ev = identity_pb2.AccountChanged(
        account_id=account_id,
        change=change,
        email=email,
        state=fields.pop("state", "active"),
        language=fields.pop("language", "pl"),
        display_name=fields.pop("display_name", ""),
    )
    if "at" in fields:
        ev.meta.occurred_at.FromDatetime(fields.pop("at"))
    if "locked_until" in fields:
        ev.locked_until.FromDatetime(fields.pop("locked_until"))
    assert not fields
    return ev


async def test_account_changes_mail_the_owner_mandatory_once(
    start_service, nats_url, smtp, notify_settings
):
    """Verified, locked and password changed each mail the address in the event, whatever the
    preferences; a repeated lock on the same day, a redelivery and accounts that cannot be
    mailed give nothing."""
    rt = await start_service(
        definition, **notify_settings, oidc_issuer="https://konto.ludwin.example/"
    )
    from notify.preferences import service as prefs

    async with rt.db.transaction() as s:
        await prefs.put(s, "acc-7", prefs.Choice(False, False, False, False))
    day = datetime(2027, 3, 10, 10, 5, tzinfo=UTC)  # 11:05 in Warsaw
    bus = await Bus.connect(nats_url, name="test-identity")
    try:
        await bus.ensure_stream(producer_stream("identity"))
        subject = "portal.identity.account.{}.v1".format
        sent = [
            (
                "verified",
                account_changed(
                    "verified", "acc-7", "ola@example.pl", state="verified",
                    display_name="Ola Lis",
                ),
            ),
            (
                "locked",
                account_changed(
                    "locked", "acc-8", "tom@example.com", language="en", display_name="Tom Ray",
                    at=day, locked_until=day + timedelta(minutes=15),
                ),
            ),
            (
                "locked",  # locked again the same day (Warsaw): no second mail
                account_changed(
                    "locked", "acc-8", "tom@example.com", language="en", display_name="Tom Ray",
                    at=day + timedelta(hours=4), locked_until=day + timedelta(hours=4, minutes=15),
                ),
            ),
            (
                "password_changed",
                account_changed(
                    "password_changed", "acc-7", "ola@example.pl", state="verified",
                    display_name="Ola Lis", at=day,
                ),
            ),
            ("locked", account_changed("locked", "acc-9", "zawieszony@example.pl", state="suspended")),
            ("locked", account_changed("locked", "acc-10", "nowy@example.pl", state="registered")),
            ("verified", account_changed("verified", "acc-11", "", state="verified")),  # old event
        ]  # fmt: skip
        for change, ev in sent:
            await publish(bus, subject(change), ev, "identity")
        changed = sent[3][1]
        await publish(  # redelivered under another message id: no second mail
            bus, subject("password_changed"), changed, "identity", msg_id=str(uuid.uuid4())
        )
        await eventually(lambda: _processed(rt, len(sent) + 1))
        await smtp.wait_for(3)
        await asyncio.sleep(1.0)
        assert len(smtp.messages) == 3, [str(m["Subject"]) for m in smtp.messages]

        password, verified = sorted(smtp.to("ola@example.pl"), key=lambda m: str(m["Subject"]))
        assert verified["Subject"] == "Konto zweryfikowane — możesz sprawdzać swoje należności"
        body = text_of(verified)
        assert "Dzień dobry Ola Lis" in body and "urząd potwierdził Twoją tożsamość" in body
        assert "http://127.0.0.1:8000/naleznosci" in body
        assert "Zmień ustawienia" not in body  # mandatory: no opt-out line

        assert password["Subject"] == "Hasło do Portalu Komunalnego zostało zmienione"
        body = text_of(password)
        assert "Kiedy: 10 marca 2027, 11:05" in body
        assert "Jeśli to nie Ty, natychmiast skontaktuj się z urzędem: Urząd Gminy Ludwin" in body
        assert "https://konto.ludwin.example/haslo/reset?lang=pl" in body
        assert "<strong>Jeśli to nie Ty, natychmiast skontaktuj się z urzędem:</strong>" in html_of(
            password
        )

        (locked,) = smtp.to("tom@example.com")
        assert locked["Subject"] == "Account temporarily locked after failed logins"
        body = text_of(locked)
        assert "Hello Tom Ray" in body
        assert "The lock lasts until 10 March 2027 at 11:20." in body
        assert "https://konto.ludwin.example/haslo/reset?lang=en" in body
        assert "someone may have tried to guess your password" in body

        rows = await mail_rows(rt)
        assert sorted(r.template for r in rows) == [
            "account_locked",
            "account_verified",
            "password_changed",
        ]
        assert all(r.mandatory and r.category == "account" and r.status == "sent" for r in rows)
        assert {r.account_id for r in rows} == {"acc-7", "acc-8"}
    finally:
        await bus.close()
