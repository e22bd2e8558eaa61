"""Conversions between the service layer's objects and NotifyService messages."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from notify.contact import rules
from notify.contact.models import Attachment, CaseMessage, ContactCase
from notify.contact.service import number
from notify.mail.models import MailMessage
from notify.preferences.service import Choice
from portal.notify.v1 import notify_pb2


def ts(value: datetime | None) -> Timestamp | None:
    if value is None:
        return None
    out = Timestamp()
    out.FromDatetime(value if value.tzinfo else value.replace(tzinfo=UTC))
    return out


def attachment_info(a: Attachment) -> notify_pb2.AttachmentInfo:
    return notify_pb2.AttachmentInfo(
        attachment_id=str(a.id),
        filename=a.filename,
        content_type=a.content_type,
        size_bytes=a.size_bytes,
    )


def message_pb(m: CaseMessage) -> notify_pb2.ContactMessage:
    return notify_pb2.ContactMessage(
        message_id=str(m.id),
        author_kind=m.author_kind,
        author_name=m.author_name,
        body=m.body,
        created_at=ts(m.created_at),
        attachments=[attachment_info(a) for a in m.attachments],
    )


def case_pb(
    c: ContactCase, *, messages: bool = False, count: int | None = None, language: str = "pl"
) -> notify_pb2.ContactCase:
    return notify_pb2.ContactCase(
        case_id=str(c.id),
        number=number(c),
        topic=c.topic,
        topic_label=rules.label(rules.TOPICS, c.topic, language),
        subject=c.subject,
        status=c.status,
        status_label=rules.label(rules.STATUS_LABELS, c.status, language),
        email=c.email,
        name=c.name,
        account_id=c.account_id or "",
        created_at=ts(c.created_at),
        updated_at=ts(c.updated_at),
        message_count=count if count is not None else len(c.messages),
        messages=[message_pb(m) for m in c.messages] if messages else [],
    )


def choice_pb(c: Choice) -> notify_pb2.NotificationPreferences:
    return notify_pb2.NotificationPreferences(
        readings=c.readings, documents=c.documents, payments=c.payments, reminders=c.reminders
    )


def choice_from_pb(p: notify_pb2.NotificationPreferences) -> Choice:
    return Choice(
        readings=p.readings, documents=p.documents, payments=p.payments, reminders=p.reminders
    )


def sent_pb(m: MailMessage) -> notify_pb2.SentMessage:
    return notify_pb2.SentMessage(
        message_id=str(m.id),
        recipient=m.recipient,
        template=m.template,
        subject=m.subject,
        status=m.status,
        attempts=m.attempts,
        last_error=m.last_error or "",
        created_at=ts(m.created_at),
        sent_at=ts(m.sent_at),
        next_attempt_at=ts(m.next_attempt_at) if m.status == "pending" else None,
        language=m.language,
        category=m.category,
    )
