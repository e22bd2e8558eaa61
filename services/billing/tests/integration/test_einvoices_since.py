"""BILLING_KSEF_SINCE: turning KSeF on sends nothing issued before it, and nothing without it.

Real billing (gRPC, database, commands) against the local KSeF double (`ksef_fake.py`).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import grpc
import pytest
from ksef_fake import FakeKsef
from lxml import etree
from sqlalchemy import select, update

from billing.app import definition, ksef_build, ksef_send
from billing.charges.intake import intake
from billing.charges.schemas import ChargeIn, LineIn
from billing.config import Settings
from billing.context import Context, today
from billing.documents.models import Document
from billing.ksef import sender
from billing.ksef.models import EInvoice
from portal.billing.v1 import billing_pb2, billing_pb2_grpc
from portal_platform.errors import DomainError
from portal_platform.rpc.client import call_metadata

NS = "{http://crd.gov.pl/wzor/2025/06/25/13775/}"
GMINA_NIP = "5252248481"
TOKEN = "20260101-EC-TEST-TOKEN"
pytestmark = pytest.mark.timeout(180)


def invoice(payer: str, nip: str) -> ChargeIn:
    return ChargeIn(
        event_id=str(uuid.uuid4()),
        payer_id=payer,
        module="water",
        idempotency_key=str(uuid.uuid4()),
        document_kind="invoice",
        title="Faktura za wodę",
        lines=(LineIn("Woda", Decimal("10"), "m3", 489, 4_890, "8", 391, 5_281),),
        due_dates=(date(2026, 9, 14),),
        payer_name="Piekarnia Kłos sp. z o.o.",
        payer_address="ul. Polna 3, 21-075 Ludwin",
        payer_nip=nip,
    )


async def start(start_service, fake: FakeKsef, **extra):
    """Billing with KSeF on and two company invoices issued today: P-OLD's and P-NEW's."""
    rt = await start_service(
        definition,
        module_regimes="water=civil,waste=tax",
        gmina_nip=GMINA_NIP,
        ksef_env="test",
        ksef_base_url=fake.url,
        ksef_token=TOKEN,
        ksef_poll_seconds=0,
        **extra,
    )
    async with rt.db.transaction() as s:
        booked = await intake(
            s,
            Context.from_settings(rt.settings),
            [invoice("P-OLD", "5260250995"), invoice("P-NEW", "7740001454")],
        )
    return rt, {d.payer_id: d for d in booked.documents}


async def rows(rt) -> dict[str, str]:
    async with rt.db.sessions() as s:
        return {r.document_id: r.status for r in (await s.execute(select(EInvoice))).scalars()}


async def test_ksef_send_refuses_to_send_anything_until_since_is_set(start_service, capsys):
    with FakeKsef(token=TOKEN, nip=GMINA_NIP) as fake:
        rt, _docs = await start(start_service, fake)
        assert await ksef_send(rt, []) == 2
        out = capsys.readouterr()
        assert out.out == ""
        assert out.err.count("\n") == 1 and "BILLING_KSEF_SINCE" in out.err  # one clear line
        assert fake.requests == [] and fake.received == {}  # KSeF was not even asked
        assert await rows(rt) == {}  # nothing built either
        # the sending itself refuses too, whoever calls it
        conn = sender.Connection(url=fake.url, token=TOKEN, nip=GMINA_NIP, poll_seconds=0)
        with pytest.raises(DomainError) as refused:
            await sender.send(rt.db, Context.from_settings(rt.settings), conn)
        assert "BILLING_KSEF_SINCE" in refused.value.message
        assert fake.requests == []


async def test_documents_issued_before_since_are_never_sent(start_service, issuer, capsys):
    since = today()
    with FakeKsef(token=TOKEN, nip=GMINA_NIP) as fake:
        rt, docs = await start(start_service, fake, ksef_since=since.isoformat())
        old, new = docs["P-OLD"], docs["P-NEW"]
        # P-OLD's invoice was issued before KSeF (as every invoice of the years before)
        async with rt.db.transaction() as s:
            await s.execute(
                update(Document)
                .where(Document.id == old.id)
                .values(issued_on=since - timedelta(days=40))
            )
        assert await ksef_build(rt, []) == 0
        assert "utworzono 1," in capsys.readouterr().out  # the new one only
        assert await rows(rt) == {new.id: "ready"}

        ch = grpc.aio.insecure_channel(f"127.0.0.1:{rt.grpc_server.port}")
        api = billing_pb2_grpc.BillingServiceStub(ch)
        clerk = call_metadata(issuer.token("clerk-1", roles=["clerk"]))
        # the old invoice's XML can still be looked at; being built does not make it sendable
        xml = await api.GetStructuredInvoice(
            billing_pb2.GetStructuredInvoiceRequest(document_id=old.id), metadata=clerk
        )
        assert etree.fromstring(xml.content).findtext(f"{NS}Fa/{NS}P_2") == old.number
        # a correction issued now of the old invoice goes to KSeF, referring to it without a
        # KSeF number (NrKSeFN), instead of waiting for a number it will never get
        line = billing_pb2.ChargeLine(
            description="Woda", quantity="8", unit="m3", unit_net_grosze=489,
            net_grosze=3_912, vat_rate="8", vat_grosze=313, gross_grosze=4_225,
        )  # fmt: skip
        corr = (
            await api.IssueCorrection(
                billing_pb2.IssueCorrectionRequest(
                    document_id=old.id, reason="Błędny odczyt", lines=[line]
                ),
                metadata=clerk,
            )
        ).document

        assert await ksef_send(rt, []) == 0
        assert "wysłano 2, przyjętych 2, odrzuconych 0" in capsys.readouterr().out
        assert set(fake.received) == {new.number, corr.number}  # never the old invoice
        ref = etree.fromstring(fake.received[corr.number]).find(f"{NS}Fa/{NS}DaneFaKorygowanej")
        assert ref.findtext(f"{NS}NrFaKorygowanej") == old.number
        assert ref.findtext(f"{NS}NrKSeFN") == "1"
        assert (await rows(rt))[old.id] == "ready"

        listed = await api.ListDocuments(
            billing_pb2.ListDocumentsRequest(payer_id="P-OLD"), metadata=clerk
        )
        by_id = {d.document_id: d for d in listed.documents}
        assert by_id[corr.document_id].ksef_status == "accepted"
        assert by_id[corr.document_id].ksef_number == fake.ksef_numbers[corr.number]
        before = by_id[old.id]
        assert (before.ksef_status, before.ksef_number) == ("before_since", "")
        assert f"przed {since:%d.%m.%Y} (BILLING_KSEF_SINCE)" in before.ksef_error

        assert await ksef_send(rt, []) == 0  # the next run: still nothing old, nothing twice
        assert "wysłano 0" in capsys.readouterr().out
        assert set(fake.received) == {new.number, corr.number}
        await ch.close()


def test_since_must_be_a_date():
    assert Settings(ksef_since="2026-04-01").ksef_since_date == date(2026, 4, 1)
    assert Settings().ksef_since_date is None
    with pytest.raises(ValueError, match="ksef_since must be a date YYYY-MM-DD"):
        Settings(ksef_since="01.04.2026")
