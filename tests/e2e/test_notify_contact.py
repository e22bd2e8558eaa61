"""Contact with the clerk end to end, through the gateway and admin web apps and a real notify.

A resident sends a message with a PDF attachment → the clerks' mailbox (a real SMTP server)
gets it with the file → a clerk sees it in the back office and replies → the resident sees the
reply and its status in the portal and gets it by e-mail. A visitor without an account writes
too. Bad input: another file type, a file over 5 MB, a 100 kB body, HTML/script (shown as text),
50 messages a minute from one address.
"""

from __future__ import annotations

import json
import re
from base64 import b64encode

import httpx
import itsdangerous
import pytest
from bs4 import BeautifulSoup

from admin.app import create_app as create_admin
from admin.app import definition as admin
from gateway.app import create_app as create_gateway
from gateway.app import definition as gateway
from notify.app import definition as notify
from notify.testing import MailCatcher, eventually, html_of, text_of
from portal_platform.config import DEV_SECRET
from portal_platform.service import Runtime
from portal_platform.service_tokens import StaticServiceTokens

pytestmark = pytest.mark.timeout(180)
CLERKS = "sekretariat@ludwin.example"
PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
SCRIPT = "<script>alert('xss')</script><b>pogrubione?</b>"


def session_cookie(data: dict) -> str:
    """A cookie as Starlette's SessionMiddleware signs it (the login feature stores "user")."""
    signer = itsdangerous.TimestampSigner(DEV_SECRET)
    return signer.sign(b64encode(json.dumps(data).encode())).decode()


def csrf(html: str) -> str:
    return BeautifulSoup(html, "html.parser").find("input", {"name": "csrf_token"})["value"]


def error_for(html: str, field: str) -> str:
    """The message tied to a field: the input's aria-describedby points at it."""
    soup = BeautifulSoup(html, "html.parser")
    control = soup.find(id=field)
    assert control is not None and control.get("aria-invalid") == "true", field
    described = control["aria-describedby"].split()[0]
    return soup.find(id=described).get_text(" ", strip=True)


@pytest.fixture
async def system(start_service, issuer):
    smtp = MailCatcher().start()
    notify_rt = await start_service(
        notify,
        smtp_url=smtp.url,
        clerks_email=CLERKS,
        service_token=issuer.token("notify", roles=["service"], ttl=3600),
        delivery_interval_s=0.1,
        reminders_enabled=False,
        portal_url="http://portal.test",
        admin_url="http://admin.test",
    )
    services = f"notify=127.0.0.1:{notify_rt.grpc_server.port}"
    gw = create_gateway(
        Runtime(
            gateway, gateway.settings_cls.model_validate({"env": "test", "grpc_services": services})
        )
    )
    gw.state.service_tokens = StaticServiceTokens(
        issuer.token("service:gateway", roles=["service"])
    )
    adm = create_admin(
        Runtime(
            admin, admin.settings_cls.model_validate({"env": "test", "grpc_services": services})
        )
    )
    clients = []

    def client(app, cookie_name: str | None = None, user: dict | None = None) -> httpx.AsyncClient:
        c = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")
        if user is not None:
            c.cookies.set(cookie_name, session_cookie({"user": user}))
        clients.append(c)
        return c

    resident = {
        "subject": "acc-jan", "name": "Jan Kowalski", "email": "jan@example.pl", "state": "verified",
        "access_token": issuer.token("acc-jan", roles=["resident"], payers=["P-1"]),
        "roles": ["resident"], "payers": ["P-1"],
    }  # fmt: skip
    clerk = {
        "subject": "clerk-anna", "name": "Anna Nowak", "email": "anna.nowak@ludwin.example",
        "access_token": issuer.token("clerk-anna", roles=["clerk"]), "roles": ["clerk"],
    }  # fmt: skip
    yield {
        "smtp": smtp,
        "resident": client(gw, "portal_session", resident),
        "other": client(gw, "portal_session", {**resident, "subject": "acc-ewa", "email": "ewa@example.pl",
                        "access_token": issuer.token("acc-ewa", roles=["resident"])}),
        "visitor": client(gw),
        "clerk": client(adm, "portal_admin_session", clerk),
        "notify": notify_rt,
    }  # fmt: skip
    for c in clients:
        await c.aclose()
    smtp.stop()


async def send(
    client: httpx.AsyncClient, fields: dict, file: tuple | None = None
) -> httpx.Response:
    form = await client.get("/kontakt")
    assert form.status_code == 200, form.text
    data = {"csrf_token": csrf(form.text), **fields}
    files = {"attachment": file} if file else {"attachment": ("", b"", "application/octet-stream")}
    return await client.post("/kontakt", data=data, files=files)


async def test_resident_writes_clerk_replies_resident_sees_reply(system):
    resident, clerk, smtp = system["resident"], system["clerk"], system["smtp"]
    body = f"Dzień dobry,\nw fakturze jest błędny odczyt.\n{SCRIPT}"
    sent = await send(
        resident,
        {"topic": "water", "subject": "Błędny odczyt na fakturze", "body": body},
        ("odczyt.pdf", PDF, "application/pdf"),
    )
    assert sent.status_code == 303, sent.text
    thread_url = sent.headers["location"].split("?")[0]
    case_id = thread_url.rsplit("/", 1)[1]

    page = await resident.get(sent.headers["location"])
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    assert "Wiadomość wysłana" in soup.get_text()
    assert (
        soup.find("dd", {"data-status": "open"}).get_text(strip=True)
        == "Oczekuje na odpowiedź urzędu"
    )
    number = re.search(r"K/\d{4}/\d{6}", soup.h1.get_text()).group(0)
    # HTML and script in the message are text: escaped in the page, never markup.
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
    assert SCRIPT in soup.find(class_="msg-body").get_text()
    assert soup.find("script") is None

    # The clerks' mailbox got the message with the attachment; the resident a confirmation.
    await smtp.wait_for(2)
    (to_clerks,) = smtp.to(CLERKS)
    assert to_clerks["Subject"] == f"[{number}] Nowa wiadomość: Błędny odczyt na fakturze"
    assert SCRIPT in text_of(to_clerks) and "<script>" not in html_of(to_clerks)
    assert f"http://admin.test/kontakt/{case_id}" in text_of(to_clerks)
    (pdf,) = list(to_clerks.iter_attachments())
    assert pdf.get_filename() == "odczyt.pdf" and pdf.get_content() == PDF
    assert len(smtp.to("jan@example.pl")) == 1

    # The clerk sees it in the back office, opens the attachment and replies.
    inbox = await clerk.get("/kontakt")
    assert inbox.status_code == 200 and number in inbox.text
    case_page = await clerk.get(f"/kontakt/{case_id}")
    assert "&lt;script&gt;" in case_page.text and "<script>alert" not in case_page.text
    link = BeautifulSoup(case_page.text, "html.parser").find("a", string="odczyt.pdf")["href"]
    download = await clerk.get(link)
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"].startswith("attachment;")
    reply = await clerk.post(
        f"/kontakt/{case_id}/odpowiedz",
        data={
            "csrf_token": csrf(case_page.text),
            "body": "Poprawiliśmy odczyt. Korekta faktury jest w Dokumentach.",
        },
        files={"attachment": ("", b"", "application/octet-stream")},
    )
    assert reply.status_code == 303, reply.text

    # The resident sees the reply and the new status, and got it by e-mail.
    page = await resident.get(thread_url)
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.find("dd", {"data-status": "answered"}).get_text(strip=True) == "Urząd odpowiedział"
    messages = soup.select("li.msg")
    assert len(messages) == 2 and "Urząd — Anna Nowak" in messages[1].get_text()
    assert "Korekta faktury jest w Dokumentach" in messages[1].get_text()
    await smtp.wait_for(3)
    (answer,) = [m for m in smtp.to("jan@example.pl") if "Odpowiedź urzędu" in str(m["Subject"])]
    assert "Korekta faktury jest w Dokumentach" in text_of(answer)
    assert "Anna Nowak" in text_of(answer)
    assert f"http://portal.test/kontakt/sprawy/{case_id}" in text_of(answer)

    listed = await resident.get("/kontakt/sprawy")
    assert number in listed.text
    # Another resident can neither see the case nor its attachment.
    other = system["other"]
    assert (await other.get(thread_url)).status_code == 404
    assert (await other.get(f"{thread_url}/zalaczniki/1")).status_code == 404
    assert number not in (await other.get("/kontakt/sprawy")).text

    # The sent-mail log in the back office shows the three mails as sent.
    log = await clerk.get("/poczta?stan=sent")
    rows = BeautifulSoup(log.text, "html.parser").select("tbody tr[data-status=sent]")
    assert {r.find_all("td")[3].get_text() for r in rows} == {
        "contact_new",
        "contact_ack",
        "contact_reply",
    }


async def test_a_visitor_writes_with_an_email_address(system):
    visitor, smtp = system["visitor"], system["smtp"]
    missing = await send(
        visitor, {"topic": "waste", "subject": "Harmonogram", "body": "Kiedy wywóz?"}
    )
    assert missing.status_code == 422
    assert "poprawny adres e-mail" in error_for(missing.text, "email")
    sent = await send(
        visitor,
        {
            "topic": "waste",
            "subject": "Harmonogram",
            "body": "Kiedy wywóz?",
            "email": "gosc@example.pl",
        },
    )
    assert sent.status_code == 303 and sent.headers["location"].startswith("/kontakt/wyslano?nr=K")
    done = await visitor.get(sent.headers["location"])
    assert "Wiadomość wysłana" in done.text
    await smtp.wait_for(2)
    (ack,) = smtp.to("gosc@example.pl")
    assert "Otrzymaliśmy Twoją wiadomość" in str(ack["Subject"])
    (to_clerks,) = smtp.to(CLERKS)
    assert "osoba niezalogowana" in text_of(to_clerks)
    # Visitors have no threads in the portal: the list asks them to log in.
    assert (await visitor.get("/kontakt/sprawy")).status_code in (303, 307)


async def test_bad_input_is_refused_with_a_clear_message_tied_to_the_field(system):
    resident = system["resident"]
    base = {"topic": "other", "subject": "Pytanie", "body": "Treść pytania"}

    exe = await send(
        resident, base, ("faktura.pdf", b"MZ\x90\x00\x03" + b"\x00" * 100, "application/pdf")
    )
    assert exe.status_code == 422
    assert "tylko plik PDF, JPG lub PNG" in error_for(exe.text, "attachment")
    doc = await send(
        resident, base, ("pismo.docx", b"PK\x03\x04" + b"\x00" * 100, "application/msword")
    )
    assert "tylko plik PDF, JPG lub PNG" in error_for(doc.text, "attachment")
    big = await send(
        resident, base, ("skan.pdf", PDF + b"0" * (6 * 1024 * 1024), "application/pdf")
    )
    assert big.status_code == 422
    assert "Załącznik jest za duży" in error_for(big.text, "attachment")
    long = await send(resident, {**base, "body": "a" * 100_000})
    assert long.status_code == 422
    message = error_for(long.text, "body")
    assert "za długa: 100\u00a0000 znaków" in message and "5\u00a0000" in message
    # What was typed stays in the form (subject kept, the topic still chosen).
    soup = BeautifulSoup(long.text, "html.parser")
    assert soup.find(id="subject")["value"] == "Pytanie"
    assert soup.find("option", selected=True)["value"] == "other"
    no_topic = await send(resident, {**base, "topic": ""})
    assert "czego dotyczy" in error_for(no_topic.text, "topic")

    async def no_cases() -> bool:
        return "Nie masz jeszcze żadnych spraw" in (await resident.get("/kontakt/sprawy")).text

    assert await no_cases()
    assert system["smtp"].messages == []


async def test_fifty_messages_a_minute_from_one_address_are_throttled(system):
    visitor = system["visitor"]
    codes = []
    last = None
    for i in range(50):
        last = await send(
            visitor,
            {
                "topic": "other",
                "subject": f"Oferta {i}",
                "body": "Tanie kredyty!",
                "email": f"spam{i}@example.com",
            },
        )
        codes.append(last.status_code)
    assert codes.count(303) == 5 and codes.count(429) == 45
    assert "Wysłano zbyt wiele wiadomości w krótkim czasie" in last.text
    assert "spróbuj ponownie za minutę" in last.text
    await system["smtp"].wait_for(10)

    async def settled() -> bool:
        return len(system["smtp"].messages) == 10

    await eventually(settled)


async def test_preferences_page_switches_optional_mails(system):
    resident = system["resident"]
    page = await resident.get("/powiadomienia")
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    assert all(
        soup.find(id=k).has_attr("checked")
        for k in ("readings", "documents", "payments", "reminders")
    )
    saved = await resident.post(
        "/powiadomienia", data={"csrf_token": csrf(page.text), "documents": "1", "payments": "1"}
    )
    assert saved.status_code == 303
    page = await resident.get(saved.headers["location"])
    soup = BeautifulSoup(page.text, "html.parser")
    assert "Zapisaliśmy Twoje ustawienia" in page.text
    assert not soup.find(id="readings").has_attr("checked")
    assert soup.find(id="documents").has_attr("checked")
    assert not soup.find(id="reminders").has_attr("checked")
    assert (await system["visitor"].get("/powiadomienia")).status_code in (303, 307)
