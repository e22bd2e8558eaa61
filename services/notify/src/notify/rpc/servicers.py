"""NotifyService over gRPC: authorise, convert, call the service layer."""

from __future__ import annotations

from typing import Any

from notify.contact import rules
from notify.contact import service as contact
from notify.contact.models import ContactCase
from notify.contact.ratelimit import Limits
from notify.contact.schemas import Clerk, MailSettings, Sender, Upload
from notify.mail import service as mail
from notify.preferences import service as preferences
from notify.rpc import mappers as m
from portal.notify.v1 import notify_pb2, notify_pb2_grpc
from portal_platform.auth import Principal, principal
from portal_platform.errors import InvalidArgument, NotFound, PermissionDenied

STAFF = ("clerk", "admin")
MAX_PAGE = 200


def is_clerk(p: Principal) -> bool:
    return bool(p.roles & set(STAFF))


def owner_filter(p: Principal) -> str | None:
    """None for clerks and services (all cases), else the resident's own account."""
    return None if p.is_staff else p.subject


def _upload(a: notify_pb2.AttachmentUpload, present: bool) -> Upload | None:
    return Upload(a.filename, a.content) if present else None


def _page(limit: int, offset: int) -> tuple[int, int]:
    return (min(limit or 50, MAX_PAGE), max(offset, 0))


class NotifyServicer(notify_pb2_grpc.NotifyServiceServicer):  # type: ignore[misc]
    def __init__(self, notifier: Any) -> None:
        self.n = notifier

    @property
    def db(self) -> Any:
        return self.n.rt.db

    @property
    def mail_settings(self) -> MailSettings:
        s = self.n.settings
        return MailSettings(s.clerks_email, s.portal_url.rstrip("/"))

    @property
    def limits(self) -> Limits:
        return Limits(self.n.settings.contact_per_minute, self.n.settings.contact_per_hour)

    async def ListContactTopics(self, request: Any, context: Any) -> Any:
        principal()
        return notify_pb2.ListContactTopicsResponse(
            topics=[
                notify_pb2.ContactTopic(key=k, label_pl=pl, label_en=en)
                for k, (pl, en) in rules.TOPICS.items()
            ]
        )

    async def CreateContactCase(self, request: Any, context: Any) -> Any:
        p = principal()
        if is_clerk(p):
            raise PermissionDenied("Urzędnicy odpowiadają w istniejących sprawach.")
        # A service (the gateway) writes for a visitor; anyone else is a resident.
        account = None if "service" in p.roles else p.subject
        email = request.email or str(p.claims.get("email", ""))
        sender = Sender(
            email=email,
            name=request.name or str(p.claims.get("name", "")),
            account_id=account,
            language=request.language or "pl",
            client_address=request.client_address,
        )
        async with self.db.transaction() as session:
            case = await contact.create_case(
                session,
                sender=sender,
                topic=request.topic,
                subject=request.subject,
                body=request.body,
                upload=_upload(request.attachment, request.HasField("attachment")),
                limits=self.limits,
                renderer=self.n.renderer,
                settings=self.mail_settings,
            )
            out = m.case_pb(case, messages=True, language=sender.language)
        self.n.poke_soon()
        return notify_pb2.CreateContactCaseResponse(case=out)

    async def ListContactCases(self, request: Any, context: Any) -> Any:
        p = principal()
        limit, offset = _page(request.limit, request.offset)
        async with self.db.sessions() as session:
            found, total = await contact.list_cases(
                session,
                account_id=owner_filter(p),
                status=request.status,
                limit=limit,
                offset=offset,
            )
            cases = [m.case_pb(c, count=n) for c, n in found]
        return notify_pb2.ListContactCasesResponse(cases=cases, total=total)

    async def GetContactCase(self, request: Any, context: Any) -> Any:
        p = principal()
        async with self.db.sessions() as session:
            case = await contact.get_case(session, request.case_id, account_id=owner_filter(p))
            return notify_pb2.GetContactCaseResponse(case=m.case_pb(case, messages=True))

    async def ReplyToContactCase(self, request: Any, context: Any) -> Any:
        p = principal()
        upload = _upload(request.attachment, request.HasField("attachment"))
        async with self.db.transaction() as session:
            case = await contact.get_case(session, request.case_id, account_id=owner_filter(p))
            if is_clerk(p):
                clerk = Clerk(p.subject, request.author_name or str(p.claims.get("name", "")))
                await contact.reply_as_clerk(
                    session,
                    case,
                    clerk=clerk,
                    body=request.body,
                    upload=upload,
                    renderer=self.n.renderer,
                    settings=self.mail_settings,
                )
            elif p.is_staff:
                raise PermissionDenied("Odpowiadać mogą urzędnicy i autor sprawy.")
            else:
                sender = Sender(case.email, case.name, case.account_id, case.language)
                await contact.reply_as_sender(
                    session,
                    case,
                    sender=sender,
                    body=request.body,
                    upload=upload,
                    limits=self.limits,
                    renderer=self.n.renderer,
                    settings=self.mail_settings,
                )
            out = await self._fresh(session, case)
        self.n.poke_soon()
        return notify_pb2.ReplyToContactCaseResponse(case=out)

    async def CloseContactCase(self, request: Any, context: Any) -> Any:
        p = principal()
        async with self.db.transaction() as session:
            case = await contact.get_case(session, request.case_id, account_id=owner_filter(p))
            await contact.close(session, case)
            await session.flush()
            out = await self._fresh(session, case)
        return notify_pb2.CloseContactCaseResponse(case=out)

    async def _fresh(self, session: Any, case: ContactCase) -> Any:
        return m.case_pb(await contact.reload(session, case.id), messages=True)

    async def GetContactAttachment(self, request: Any, context: Any) -> Any:
        p = principal()
        async with self.db.sessions() as session:
            case = await contact.get_case(session, request.case_id, account_id=owner_filter(p))
            a = await contact.get_attachment(session, case, request.attachment_id)
            return notify_pb2.GetContactAttachmentResponse(
                info=m.attachment_info(a), content=a.content
            )

    def _account(self, p: Principal, account_id: str) -> str:
        """A resident may touch only their own preferences; staff and services any."""
        account_id = account_id or p.subject
        if account_id != p.subject and not p.is_staff:
            raise NotFound("Nie ma takiego konta.")
        if not account_id:
            raise InvalidArgument("Brak identyfikatora konta.", field="account_id")
        return account_id

    async def GetNotificationPreferences(self, request: Any, context: Any) -> Any:
        account_id = self._account(principal(), request.account_id)
        async with self.db.sessions() as session:
            choice = await preferences.get(session, account_id)
        return notify_pb2.GetNotificationPreferencesResponse(preferences=m.choice_pb(choice))

    async def SetNotificationPreferences(self, request: Any, context: Any) -> Any:
        account_id = self._account(principal(), request.account_id)
        async with self.db.transaction() as session:
            choice = await preferences.put(
                session, account_id, m.choice_from_pb(request.preferences)
            )
        return notify_pb2.SetNotificationPreferencesResponse(preferences=m.choice_pb(choice))

    async def ListSentMessages(self, request: Any, context: Any) -> Any:
        principal().require_role(*STAFF)
        limit, offset = _page(request.limit, request.offset)
        async with self.db.sessions() as session:
            rows, total = await mail.list_messages(
                session,
                status=request.status,
                recipient=request.recipient,
                limit=limit,
                offset=offset,
            )
        return notify_pb2.ListSentMessagesResponse(
            messages=[m.sent_pb(r) for r in rows], total=total
        )

    async def RetrySentMessage(self, request: Any, context: Any) -> Any:
        principal().require_role(*STAFF)
        try:
            mail_id = int(request.message_id)
        except ValueError:
            raise NotFound("Nie ma takiej wiadomości.") from None
        async with self.db.transaction() as session:
            row = await mail.retry(session, mail_id)
            out = m.sent_pb(row)
        self.n.delivery.poke()
        return notify_pb2.RetrySentMessageResponse(message=out)
