"""Contact cases: create, list, read, reply (clerk or sender), close; mails to clerks and senders."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from notify.contact import rules
from notify.contact.models import ANSWERED, CLOSED, OPEN, Attachment, CaseMessage, ContactCase
from notify.contact.ratelimit import Limits, hit
from notify.contact.schemas import Clerk, MailSettings, Sender, Upload
from notify.mail import service as mail
from notify.mail.render import Renderer
from notify.mail.schemas import MailIn, Recipient
from portal_platform.errors import DomainError, NotFound


def number(case: ContactCase) -> str:
    """The case number shown to people: K/<year>/<id>."""
    return f"K/{case.created_at.year}/{case.id:06d}"


def _attachment(upload: Upload | None) -> Attachment | None:
    if upload is None:
        return None
    filename, content_type = rules.check_attachment(upload.filename, upload.content)
    return Attachment(
        filename=filename,
        content_type=content_type,
        size_bytes=len(upload.content),
        sha256=hashlib.sha256(upload.content).hexdigest(),
        content=upload.content,
    )


def _rate_keys(sender: Sender) -> list[str]:
    keys = [f"email:{sender.email.lower()}"]
    if sender.client_address:
        keys.append(f"ip:{sender.client_address}")
    if sender.account_id:
        keys.append(f"account:{sender.account_id}")
    return keys


async def create_case(
    session: AsyncSession,
    *,
    sender: Sender,
    topic: str,
    subject: str,
    body: str,
    upload: Upload | None,
    limits: Limits,
    renderer: Renderer,
    settings: MailSettings,
) -> ContactCase:
    """Validate, throttle, store the case and queue the mails to the clerks and the sender."""
    topic = rules.check_topic(topic)
    subject = rules.check_subject(subject)
    body = rules.check_body(body)
    email = rules.check_email(sender.email)
    name = rules.check_name(sender.name)
    attachment = _attachment(upload)
    now = datetime.now(UTC)
    await hit(session, _rate_keys(sender), limits, now)
    case = ContactCase(
        account_id=sender.account_id,
        email=email,
        name=name,
        language=sender.language if sender.language in ("pl", "en") else "pl",
        topic=topic,
        subject=subject,
        status=OPEN,
        created_at=now,
        updated_at=now,
    )
    message = CaseMessage(
        author_kind=sender.kind,
        author_id=sender.account_id or "",
        author_name=name or email,
        body=body,
        created_at=now,
        attachments=[attachment] if attachment else [],
    )
    case.messages = [message]
    session.add(case)
    await session.flush()
    await _mail_clerks(session, case, message, renderer, settings, followup=False)
    await mail.enqueue(
        session,
        [
            MailIn(
                dedup_key=f"contact_ack:{case.id}",
                recipient=Recipient(email, name, case.language, sender.account_id),
                template="contact_ack",
                category="contact",
                context=_context(case, settings),
            )
        ],
        renderer,
    )
    return case


def _context(case: ContactCase, settings: MailSettings) -> dict[str, Any]:
    thread = f"{settings.portal_url}/kontakt/sprawy/{case.id}" if case.account_id else ""
    return {
        "case_id": case.id,
        "number": number(case),
        "subject": case.subject,
        "topic_label": rules.label(rules.TOPICS, case.topic, case.language),
        "name": case.name,
        "thread_url": thread,
    }


async def _mail_clerks(
    session: AsyncSession,
    case: ContactCase,
    message: CaseMessage,
    renderer: Renderer,
    settings: MailSettings,
    *,
    followup: bool,
) -> None:
    context = {
        **_context(case, settings),
        "topic_label": rules.label(rules.TOPICS, case.topic),
        "followup": followup,
        "sender_name": case.name,
        "sender_email": case.email,
        "account_id": case.account_id or "",
        "body": message.body,
        "attachments": [a.filename for a in message.attachments],
    }
    await mail.enqueue(
        session,
        [
            MailIn(
                dedup_key=f"contact_new:{message.id}",
                recipient=Recipient(settings.clerks_email, "", "pl"),
                template="contact_new",
                category="contact",
                context=context,
                attachment_ids=tuple(a.id for a in message.attachments),
            )
        ],
        renderer,
    )


async def list_cases(
    session: AsyncSession,
    *,
    account_id: str | None,
    status: str = "",
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[tuple[ContactCase, int]], int]:
    """Cases newest first with their message counts; `account_id` limits to one resident."""
    conds = []
    if account_id is not None:
        conds.append(ContactCase.account_id == account_id)
    if status:
        conds.append(ContactCase.status == status)
    total = (
        await session.execute(select(func.count()).select_from(ContactCase).where(*conds))
    ).scalar_one()
    counts = (
        select(CaseMessage.case_id, func.count().label("n"))
        .group_by(CaseMessage.case_id)
        .subquery()
    )
    rows = await session.execute(
        select(ContactCase, counts.c.n)
        .join(counts, counts.c.case_id == ContactCase.id)
        .where(*conds)
        .order_by(ContactCase.updated_at.desc(), ContactCase.id.desc())
        .limit(limit)
        .offset(offset)
        .execution_options(populate_existing=True)
    )
    return [(c, int(n)) for c, n in rows.all()], int(total)


async def get_case(session: AsyncSession, case_id: str, *, account_id: str | None) -> ContactCase:
    """The case; for a resident (`account_id`) only their own — others look like missing."""
    try:
        key = int(case_id)
    except (TypeError, ValueError):
        raise NotFound("Nie ma takiej sprawy.") from None
    case = await session.get(ContactCase, key)
    if case is None or (account_id is not None and case.account_id != account_id):
        raise NotFound("Nie ma takiej sprawy.")
    return case


async def reply_as_clerk(
    session: AsyncSession,
    case: ContactCase,
    *,
    clerk: Clerk,
    body: str,
    upload: Upload | None,
    renderer: Renderer,
    settings: MailSettings,
) -> CaseMessage:
    """The clerk's answer: stored in the thread and e-mailed to the sender."""
    text = rules.check_body(body)
    attachment = _attachment(upload)
    now = datetime.now(UTC)
    message = CaseMessage(
        case_id=case.id,
        author_kind="clerk",
        author_id=clerk.subject,
        author_name=rules.check_name(clerk.name) or "Urząd",
        body=text,
        created_at=now,
        attachments=[attachment] if attachment else [],
    )
    session.add(message)
    case.status = ANSWERED
    case.updated_at = now
    await session.flush()
    context = {**_context(case, settings), "body": text, "author_name": message.author_name}
    await mail.enqueue(
        session,
        [
            MailIn(
                dedup_key=f"contact_reply:{message.id}",
                recipient=Recipient(case.email, case.name, case.language, case.account_id),
                template="contact_reply",
                category="contact",
                context=context,
                attachment_ids=tuple(a.id for a in message.attachments),
            )
        ],
        renderer,
    )
    return message


async def reply_as_sender(
    session: AsyncSession,
    case: ContactCase,
    *,
    sender: Sender,
    body: str,
    upload: Upload | None,
    limits: Limits,
    renderer: Renderer,
    settings: MailSettings,
) -> CaseMessage:
    """The resident adds to their open case; the clerks get it by e-mail."""
    if case.status == CLOSED:
        raise DomainError(
            "Ta sprawa jest zamknięta. Jeśli chcesz coś dodać, napisz nową wiadomość.",
            code="contact.closed",
            field="body",
        )
    text = rules.check_body(body)
    attachment = _attachment(upload)
    now = datetime.now(UTC)
    await hit(session, _rate_keys(sender), limits, now)
    message = CaseMessage(
        case_id=case.id,
        author_kind=sender.kind,
        author_id=sender.account_id or "",
        author_name=case.name or case.email,
        body=text,
        created_at=now,
        attachments=[attachment] if attachment else [],
    )
    session.add(message)
    case.status = OPEN
    case.updated_at = now
    await session.flush()
    await _mail_clerks(session, case, message, renderer, settings, followup=True)
    return message


async def close(session: AsyncSession, case: ContactCase) -> ContactCase:
    if case.status != CLOSED:
        case.status = CLOSED
        case.updated_at = datetime.now(UTC)
    return case


async def reload(session: AsyncSession, case_id: int) -> ContactCase:
    """The case with its messages and attachments as stored now."""
    session.expire_all()
    case = await session.get(ContactCase, case_id, populate_existing=True)
    assert case is not None
    return case


async def get_attachment(
    session: AsyncSession, case: ContactCase, attachment_id: str
) -> Attachment:
    """An attachment of the case, with its content."""
    try:
        key = int(attachment_id)
    except (TypeError, ValueError):
        raise NotFound("Nie ma takiego załącznika.") from None
    row = (
        await session.execute(
            select(Attachment)
            .join(CaseMessage, CaseMessage.id == Attachment.message_id)
            .where(Attachment.id == key, CaseMessage.case_id == case.id)
            .options(undefer(Attachment.content))
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFound("Nie ma takiego załącznika.")
    return row
