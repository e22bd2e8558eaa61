"""Consumers of identity, water and billing events: decode, convert to notices, queue mails."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from notify.mail.render import Renderer
from notify.mail.schemas import Recipient
from notify.notices import rules
from notify.notices.service import Directory, Notice, deliver_notices
from portal.billing.v1 import billing_pb2
from portal.common.v1 import common_pb2
from portal.identity.v1 import identity_pb2
from portal.notify.v1 import notify_pb2
from portal.water.v1 import water_pb2
from portal_platform.messaging.bus import producer_stream
from portal_platform.messaging.inbox import Envelope, PoisonMessage, Subscription

ACTIVATION = "portal.identity.activation.requested.v1"
PASSWORD_RESET = "portal.identity.password_reset.requested.v1"
DUPLICATE = "portal.identity.registration.duplicate.v1"
ACCOUNT_SUBJECTS = tuple(f"portal.identity.account.{c}.v1" for c in rules.ACCOUNT_TEMPLATES)
READING_SUBJECTS = tuple(
    f"portal.water.reading.{d}.v1" for d in ("accepted", "corrected", "rejected")
)
DOCUMENT_ISSUED = "portal.billing.document.issued.v1"
PAYMENT_SETTLED = "portal.billing.payment.settled.v1"
WARSAW = ZoneInfo("Europe/Warsaw")
KIND_NAMES = {
    billing_pb2.DOCUMENT_KIND_INVOICE: "invoice",
    billing_pb2.DOCUMENT_KIND_FEE_NOTICE: "fee_notice",
    billing_pb2.DOCUMENT_KIND_DECISION: "decision",
    billing_pb2.DOCUMENT_KIND_INSTALLMENT: "installment",
    billing_pb2.DOCUMENT_KIND_CORRECTION: "correction",
}


class RawEvent:
    """Any event of a stream: its bytes and meta; the handler decodes it by subject."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.meta = notify_pb2.EventHeader.FromString(data).meta

    @classmethod
    def FromString(cls, data: bytes) -> RawEvent:
        return cls(data)


def _decode(env: Envelope, cls: Any) -> Any:
    try:
        return cls.FromString(env.event.data)
    except Exception as exc:
        raise PoisonMessage(f"{env.subject}: payload is not a {cls.__name__}: {exc}") from None


def event_key(env: Envelope) -> str:
    """The event's own id (meta), stable even when a message is republished under a new id."""
    return str(env.event.meta.event_id or env.event_id)


def to_date(d: common_pb2.Date) -> date | None:
    try:
        return date(d.year, d.month, d.day) if d.year else None
    except ValueError:
        return None


def to_datetime(ts: Any) -> datetime | None:
    return ts.ToDatetime(tzinfo=UTC) if ts.seconds else None


def identity_notice(env: Envelope) -> Notice:
    """Activation, password reset, duplicate registration: mandatory, to the event's address."""
    templates = {
        ACTIVATION: (identity_pb2.ActivationRequested, "activation"),
        PASSWORD_RESET: (identity_pb2.PasswordResetRequested, "password_reset"),
        DUPLICATE: (identity_pb2.DuplicateRegistrationAttempted, "duplicate_registration"),
    }
    if env.subject not in templates:
        raise PoisonMessage(f"unexpected subject {env.subject}")
    cls, template = templates[env.subject]
    ev = _decode(env, cls)
    context: dict[str, Any] = {"display_name": ev.display_name}
    if template == "activation":
        context |= {"activation_url": ev.activation_url, "expires_at": to_datetime(ev.expires_at)}
    elif template == "password_reset":
        context |= {"reset_url": ev.reset_url, "expires_at": to_datetime(ev.expires_at)}
    else:
        context |= {"login_url": ev.login_url, "reset_url": ev.reset_url}
    recipient = Recipient(
        email=ev.email, name=ev.display_name, language=ev.language or "pl", account_id=ev.account_id
    )
    return Notice(event_key(env), template, "account", context, recipient=recipient)


def account_notice(env: Envelope) -> Notice | None:
    """Account verified, locked, password changed: mandatory, to the address in the event.

    Events of an identity older than these fields carry no address and give no mail. A lock
    may be repeated by whoever keeps guessing: one lock mail per account and day.
    """
    ev = _decode(env, identity_pb2.AccountChanged)
    template = rules.account_template(ev.change or env.subject.split(".")[3], ev.state)
    if template is None or not ev.email:
        return None
    happened = to_datetime(ev.meta.occurred_at) or datetime.now(UTC)
    context: dict[str, Any] = {"display_name": ev.display_name, "happened_at": happened}
    once_key = ""
    if template == "account_locked":
        context["locked_until"] = to_datetime(ev.locked_until)
        once_key = f"{ev.account_id}:{happened.astimezone(WARSAW).date().isoformat()}"
    recipient = Recipient(
        email=ev.email,
        name=ev.display_name,
        language=ev.language if ev.language in ("pl", "en") else "pl",
        account_id=ev.account_id,
        state=ev.state,
    )
    return Notice(
        event_key(env), template, "account", context, recipient=recipient, once_key=once_key
    )


def identity_event_notice(env: Envelope) -> Notice | None:
    if env.subject in ACCOUNT_SUBJECTS:
        return account_notice(env)
    return identity_notice(env)


def water_notice(env: Envelope) -> Notice | None:
    ev = _decode(env, water_pb2.ReadingDecided)
    decision = ev.decision or env.subject.split(".")[3]
    template = rules.reading_template(decision)
    if template is None:
        return None
    context = {
        "meter_serial": ev.meter_serial,
        "submitted_m3": ev.submitted_m3,
        "accepted_m3": ev.accepted_m3,
        "reading_date": to_date(ev.reading_date),
        "reason": ev.reason,
    }
    return Notice(event_key(env), template, "readings", context, payer_id=ev.payer_id)


def billing_notice(env: Envelope) -> Notice | None:
    if env.subject == DOCUMENT_ISSUED:
        doc = _decode(env, billing_pb2.DocumentIssued)
        template = rules.document_template(
            module=doc.module,
            kind=KIND_NAMES.get(doc.document_kind, ""),
            is_reminder=doc.is_reminder,
            gross_grosze=doc.gross_grosze,
        )
        context = {
            "number": doc.number,
            "title": doc.title,
            "gross_grosze": doc.gross_grosze,
            "due_date": to_date(doc.due_date),
            "module": doc.module,
        }
        return Notice(event_key(env), template, "documents", context, payer_id=doc.payer_id)
    if env.subject == PAYMENT_SETTLED:
        pay = _decode(env, billing_pb2.PaymentEvent)
        if pay.status and pay.status != "settled":
            return None
        context = {"amount_grosze": pay.amount_grosze, "channel": pay.channel}
        return Notice(event_key(env), "payment_settled", "payments", context, payer_id=pay.payer_id)
    return None


Convert = Callable[[Envelope], Notice | None]


def _handler(
    convert: Convert,
    directory: Directory,
    renderer: Renderer,
    after: Callable[[], Awaitable[None] | None] | None,
) -> Callable[[AsyncSession, Sequence[Envelope]], Awaitable[None]]:
    async def handle(session: AsyncSession, envelopes: Sequence[Envelope]) -> None:
        notices = [n for n in (convert(e) for e in envelopes) if n is not None]
        if notices:
            await deliver_notices(
                session, notices, directory=directory, renderer=renderer, after=after
            )

    return handle


def subscriptions(
    directory: Directory,
    renderer: Renderer,
    after: Callable[[], Awaitable[None] | None] | None = None,
) -> list[Subscription]:
    """One durable consumer per producer stream: notify__identity, notify__water, notify__billing."""
    spec = [
        (
            "identity",
            (ACTIVATION, PASSWORD_RESET, DUPLICATE, *ACCOUNT_SUBJECTS),
            identity_event_notice,
            200,
        ),
        ("water", READING_SUBJECTS, water_notice, 100),
        ("billing", (DOCUMENT_ISSUED, PAYMENT_SETTLED), billing_notice, 100),
    ]
    return [
        Subscription(
            consumer="notify",
            purpose=producer,
            stream=producer_stream(producer),
            subjects=subjects,
            event_type=RawEvent,
            handler=_handler(convert, directory, renderer, after),
            batch=batch,
            max_deliver=10 if producer == "identity" else 100,  # identity may be down a while
        )
        for producer, subjects, convert, batch in spec
    ]
