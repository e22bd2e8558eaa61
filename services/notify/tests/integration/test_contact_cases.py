"""Contact cases over gRPC: the thread, mails to clerks and senders, authorisation, bad input."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from sqlalchemy import func, select

from notify.app import definition
from notify.contact.models import ContactCase
from notify.testing import eventually, html_of, text_of
from portal.notify.v1 import notify_pb2, notify_pb2_grpc
from portal_platform.rpc.client import call_metadata

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CLERKS = "urzednicy@ludwin.example"


@pytest.fixture
def tokens(issuer):
    return {
        "jan": issuer.token("acc-1", roles=["resident"], payers=["P-1"], email="jan@example.pl"),
        "ewa": issuer.token("acc-4", roles=["resident"], payers=["P-3"]),
        "clerk": issuer.token("clerk-1", roles=["clerk"], name="Anna Urzędniczka"),
        "gateway": issuer.token("gateway", roles=["service"]),
    }


async def rpc(stub, method: str, request, token: str):
    return await getattr(stub, method)(request, metadata=call_metadata(token))


async def refused(stub, method: str, request, token: str) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await rpc(stub, method, request, token)
    return err.value


def field_of(err: grpc.aio.AioRpcError) -> str:
    return dict(err.trailing_metadata() or ()).get("portal-error-field", "")


async def test_resident_writes_clerk_replies_resident_sees_the_reply(
    start_service, smtp, notify_settings, tokens
):
    rt = await start_service(definition, **notify_settings)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{rt.grpc_server.port}") as ch:
        stub = notify_pb2_grpc.NotifyServiceStub(ch)
        body = "Dzień dobry,\nproszę o korektę. <script>alert('x')</script> <b>pilne</b>"
        created = (
            await rpc(
                stub,
                "CreateContactCase",
                notify_pb2.CreateContactCaseRequest(
                    topic="water",
                    subject="Korekta faktury",
                    body=body,
                    name="Jan Kowalski",
                    client_address="10.0.0.7",
                    attachment=notify_pb2.AttachmentUpload(
                        filename="faktura.pdf", content_type="application/pdf", content=PDF
                    ),
                ),
                tokens["jan"],
            )
        ).case
        assert created.status == "open" and created.account_id == "acc-1"
        assert created.email == "jan@example.pl"
        assert created.messages[0].body == body  # stored as text, unchanged
        case_id = created.case_id

        await smtp.wait_for(2)
        (to_clerks,) = smtp.to(CLERKS)
        assert to_clerks["Subject"] == f"[{created.number}] Nowa wiadomość: Korekta faktury"
        assert "<script>alert('x')</script>" in text_of(to_clerks)
        assert "<script>" not in html_of(to_clerks)
        assert "&lt;script&gt;" in html_of(to_clerks)
        (pdf,) = list(to_clerks.iter_attachments())
        assert pdf.get_filename() == "faktura.pdf" and pdf.get_content() == PDF
        (ack,) = smtp.to("jan@example.pl")
        assert created.number in ack["Subject"]

        # The clerk sees the case, downloads the attachment, replies.
        listed = await rpc(
            stub, "ListContactCases", notify_pb2.ListContactCasesRequest(), tokens["clerk"]
        )
        assert [c.case_id for c in listed.cases] == [case_id] and listed.cases[0].message_count == 1
        att_id = created.messages[0].attachments[0].attachment_id
        got = await rpc(
            stub,
            "GetContactAttachment",
            notify_pb2.GetContactAttachmentRequest(case_id=case_id, attachment_id=att_id),
            tokens["clerk"],
        )
        assert got.content == PDF and got.info.content_type == "application/pdf"
        replied = (
            await rpc(
                stub,
                "ReplyToContactCase",
                notify_pb2.ReplyToContactCaseRequest(
                    case_id=case_id, body="Korekta wystawiona, proszę sprawdzić dokumenty."
                ),
                tokens["clerk"],
            )
        ).case
        assert replied.status == "answered" and len(replied.messages) == 2
        assert replied.messages[1].author_kind == "clerk"
        assert replied.messages[1].author_name == "Anna Urzędniczka"

        await smtp.wait_for(3)
        reply_mail = [
            m for m in smtp.to("jan@example.pl") if "Odpowiedź urzędu" in str(m["Subject"])
        ]
        assert len(reply_mail) == 1
        assert "Korekta wystawiona" in text_of(reply_mail[0])
        assert f"/kontakt/sprawy/{case_id}" in text_of(reply_mail[0])

        # The resident sees the reply and the status; another resident sees nothing of it.
        seen = (
            await rpc(
                stub,
                "GetContactCase",
                notify_pb2.GetContactCaseRequest(case_id=case_id),
                tokens["jan"],
            )
        ).case
        assert seen.status == "answered" and seen.messages[1].body.startswith("Korekta wystawiona")
        for method, request in (
            ("GetContactCase", notify_pb2.GetContactCaseRequest(case_id=case_id)),
            ("ReplyToContactCase", notify_pb2.ReplyToContactCaseRequest(case_id=case_id, body="x")),
            ("CloseContactCase", notify_pb2.CloseContactCaseRequest(case_id=case_id)),
            (
                "GetContactAttachment",
                notify_pb2.GetContactAttachmentRequest(case_id=case_id, attachment_id=att_id),
            ),
        ):
            err = await refused(stub, method, request, tokens["ewa"])
            assert err.code() == grpc.StatusCode.NOT_FOUND, method
        mine = await rpc(
            stub, "ListContactCases", notify_pb2.ListContactCasesRequest(), tokens["ewa"]
        )
        assert mine.total == 0
        err = await refused(stub, "ListContactCases", notify_pb2.ListContactCasesRequest(), "")
        assert err.code() == grpc.StatusCode.UNAUTHENTICATED

        # The resident adds a note (clerks get it), then closes the case; no more notes then.
        again = (
            await rpc(
                stub,
                "ReplyToContactCase",
                notify_pb2.ReplyToContactCaseRequest(case_id=case_id, body="Dziękuję, widzę."),
                tokens["jan"],
            )
        ).case
        assert again.status == "open"
        await smtp.wait_for(4)
        assert any("Odpowiedź mieszkańca" in str(m["Subject"]) for m in smtp.to(CLERKS))
        closed = (
            await rpc(
                stub,
                "CloseContactCase",
                notify_pb2.CloseContactCaseRequest(case_id=case_id),
                tokens["jan"],
            )
        ).case
        assert closed.status == "closed" and closed.status_label == "Zamknięta"
        err = await refused(
            stub,
            "ReplyToContactCase",
            notify_pb2.ReplyToContactCaseRequest(case_id=case_id, body="Jeszcze jedno"),
            tokens["jan"],
        )
        assert err.code() == grpc.StatusCode.FAILED_PRECONDITION and "zamknięta" in err.details()


async def test_bad_input_is_refused_with_a_clear_message(start_service, notify_settings, tokens):
    rt = await start_service(definition, **notify_settings)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{rt.grpc_server.port}") as ch:
        stub = notify_pb2_grpc.NotifyServiceStub(ch)

        def req(**kw):
            base = {
                "topic": "other",
                "subject": "Pytanie",
                "body": "Treść",
                "email": "gosc@example.pl",
            }
            return notify_pb2.CreateContactCaseRequest(**{**base, **kw})

        cases = [
            (req(body="x" * 100_000), "body", "za długa: 100\u00a0000 znaków"),
            (req(body="   "), "body", "Wpisz treść"),
            (req(topic="spam"), "topic", "czego dotyczy"),
            (req(email="nie-adres"), "email", "poprawny adres e-mail"),
            (req(email=""), "email", "poprawny adres e-mail"),
            (
                req(
                    attachment=notify_pb2.AttachmentUpload(
                        filename="program.pdf", content=b"MZ\x90\x00"
                    )
                ),
                "attachment",
                "tylko plik PDF, JPG lub PNG",
            ),
            (
                req(attachment=notify_pb2.AttachmentUpload(filename="skrypt.exe", content=PDF)),
                "attachment",
                "tylko plik PDF, JPG lub PNG",
            ),
            (
                req(
                    attachment=notify_pb2.AttachmentUpload(
                        filename="duzy.pdf", content=PDF + b"0" * (5 * 1024 * 1024)
                    )
                ),
                "attachment",
                "za duży",
            ),
        ]
        for request, field, text in cases:
            err = await refused(stub, "CreateContactCase", request, tokens["gateway"])
            assert err.code() == grpc.StatusCode.INVALID_ARGUMENT, field
            assert field_of(err) == field and text in err.details(), (field, err.details())
        err = await refused(stub, "CreateContactCase", req(), tokens["clerk"])
        assert err.code() == grpc.StatusCode.PERMISSION_DENIED
        async with rt.db.sessions() as s:
            assert (
                await s.execute(select(func.count()).select_from(ContactCase))
            ).scalar_one() == 0


async def test_fifty_messages_a_minute_from_one_address_are_throttled(
    start_service, smtp, notify_settings, tokens
):
    rt = await start_service(definition, **notify_settings)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{rt.grpc_server.port}") as ch:
        stub = notify_pb2_grpc.NotifyServiceStub(ch)
        outcomes = []
        for i in range(50):
            request = notify_pb2.CreateContactCaseRequest(
                topic="other",
                subject=f"Reklama {i}",
                body="Kup teraz!",
                email=f"bot{i}@spam.example",  # a new address each time: the IP still counts
                client_address="203.0.113.9",
            )
            try:
                await rpc(stub, "CreateContactCase", request, tokens["gateway"])
                outcomes.append("ok")
            except grpc.aio.AioRpcError as exc:
                assert exc.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
                assert "zbyt wiele wiadomości" in exc.details().lower()
                assert "spróbuj ponownie za minutę" in exc.details()
                outcomes.append("throttled")
        assert outcomes.count("ok") == 5 and outcomes.count("throttled") == 45
        assert outcomes[:5] == ["ok"] * 5

        # Another sender (other IP, other address) is not affected.
        await rpc(
            stub,
            "CreateContactCase",
            notify_pb2.CreateContactCaseRequest(
                topic="waste",
                subject="Harmonogram",
                body="Kiedy wywóz?",
                email="mieszkaniec@example.pl",
                client_address="198.51.100.4",
            ),
            tokens["gateway"],
        )
        async with rt.db.sessions() as s:
            assert (
                await s.execute(select(func.count()).select_from(ContactCase))
            ).scalar_one() == 6
        # 6 cases → 6 mails to the clerks + 6 acknowledgements; nothing for the throttled ones.
        await smtp.wait_for(12)
        await asyncio.sleep(0.5)
        assert len(smtp.messages) == 12


async def test_preferences_and_the_mail_log_are_authorised(
    start_service, smtp, notify_settings, tokens
):
    rt = await start_service(definition, **notify_settings)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{rt.grpc_server.port}") as ch:
        stub = notify_pb2_grpc.NotifyServiceStub(ch)
        got = await rpc(
            stub,
            "GetNotificationPreferences",
            notify_pb2.GetNotificationPreferencesRequest(),
            tokens["jan"],
        )
        assert got.preferences.readings and got.preferences.reminders
        await rpc(
            stub,
            "SetNotificationPreferences",
            notify_pb2.SetNotificationPreferencesRequest(
                preferences=notify_pb2.NotificationPreferences(readings=False, documents=True)
            ),
            tokens["jan"],
        )
        got = await rpc(
            stub,
            "GetNotificationPreferences",
            notify_pb2.GetNotificationPreferencesRequest(account_id="acc-1"),
            tokens["clerk"],
        )
        assert not got.preferences.readings and got.preferences.documents
        assert not got.preferences.reminders
        err = await refused(
            stub,
            "SetNotificationPreferences",
            notify_pb2.SetNotificationPreferencesRequest(account_id="acc-1"),
            tokens["ewa"],
        )
        assert err.code() == grpc.StatusCode.NOT_FOUND

        await rpc(
            stub,
            "CreateContactCase",
            notify_pb2.CreateContactCaseRequest(topic="other", subject="S", body="B"),
            tokens["jan"],
        )
        await smtp.wait_for(2)

        async def logged():
            r = await rpc(
                stub,
                "ListSentMessages",
                notify_pb2.ListSentMessagesRequest(status="sent"),
                tokens["clerk"],
            )
            return r if r.total == 2 else None

        log = await eventually(logged)
        assert {m.template for m in log.messages} == {"contact_new", "contact_ack"}
        assert all(m.attempts == 1 and m.sent_at.seconds for m in log.messages)
        only = await rpc(
            stub,
            "ListSentMessages",
            notify_pb2.ListSentMessagesRequest(recipient="JAN@"),
            tokens["clerk"],
        )
        assert [m.template for m in only.messages] == ["contact_ack"]
        err = await refused(
            stub, "ListSentMessages", notify_pb2.ListSentMessagesRequest(), tokens["jan"]
        )
        assert err.code() == grpc.StatusCode.PERMISSION_DENIED
