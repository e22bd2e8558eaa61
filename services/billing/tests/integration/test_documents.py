"""Documents and slips: Polish text in the PDF, the ZBP QR code decoded from PNG and PDF."""

from __future__ import annotations

import io
from datetime import date

import pypdf
import zxingcpp
from PIL import Image

from billing.charges.intake import intake
from billing.documents import service as documents
from billing.documents.files import document_file, instructions, slip_pdf
from billing.documents.qr import png, zbp_payload
from billing.payers.models import Payer


def decode(image: Image.Image) -> str:
    found = zxingcpp.read_barcodes(image)
    assert found, "no QR code found in the image"
    return found[0].text


def pdf_text_and_qr(content: bytes) -> tuple[str, list[str]]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    text = "\n".join(p.extract_text() for p in reader.pages)
    codes = [decode(img.image) for p in reader.pages for img in p.images]
    return text, codes


def test_qr_payload_matches_the_zbp_format_character_by_character():
    payload = zbp_payload(
        nip="1234567890",
        account="92124012340001567890123456",
        amount_grosze=1_200,
        recipient="Odbiorca 1",
        title="FV 1234/34/2012",
    )
    expected = "1234567890|PL|92124012340001567890123456|001200|Odbiorca 1|FV 1234/34/2012|||"
    assert len(payload) == len(expected)
    for i, (got, want) in enumerate(zip(payload, expected, strict=True)):
        assert got == want, f"character {i}: {got!r} != {want!r}"
    assert decode(Image.open(io.BytesIO(png(payload)))) == expected


def test_qr_amount_above_9999_99_is_left_for_the_payer_and_fields_are_cut():
    payload = zbp_payload(
        nip="",
        account="0" * 26,
        amount_grosze=1_000_000,
        recipient="Gmina Ludwin — Urząd Gminy",
        title="x|" * 40,
    )
    fields = payload.split("|")
    assert len(fields) == 9 and fields[0] == "" and fields[3] == "000000"
    assert len(fields[4]) <= 20 and len(fields[5]) <= 32


async def test_invoice_pdf_has_polish_text_and_the_qr_of_the_charge(db, ctx, charge):
    c = charge("P-7", 26_156, module="water", kind="invoice", name="Zażółć Gęślą-Jaźń")
    async with db.transaction() as s:
        result = await intake(s, ctx, [c])
    doc_id = result.documents[0].id
    async with db.transaction() as s:
        doc = await documents.get(s, doc_id)
        first = await document_file(s, ctx, doc)
        payer = await s.get(Payer, "P-7")
    async with db.transaction() as s:
        again = await document_file(s, ctx, await documents.get(s, doc_id))
    assert first == again  # rendered once, then the same bytes for good
    text, codes = pdf_text_and_qr(first)
    assert "Zażółć Gęślą-Jaźń" in text
    assert "Faktura VAT" in text and doc.number in text
    expected = f"|PL|{payer.virtual_account}|026156|Gmina Ludwin|{doc.number}|||"
    assert codes == [expected]


async def test_slip_for_one_charge_and_for_everything(db, ctx, charge):
    async with db.transaction() as s:
        r = await intake(s, ctx, [charge("P-8", 12_345), charge("P-8", 10_000, module="water")])
    charge_id = r.booked[0].id
    async with db.sessions() as s:
        one = await instructions(s, ctx, "P-8", charge_id, date(2026, 3, 1))
        everything = await instructions(s, ctx, "P-8", "", date(2026, 3, 1))
    assert one.amount == r.booked[0].gross_grosze
    assert everything.amount == 22_345
    text, codes = pdf_text_and_qr(slip_pdf(one, date(2026, 3, 1)))
    assert set(codes) == {one.qr_payload}  # both copies show the same code
    assert one.words in text.replace("\n", " ") or "złot" in text
    assert one.title.startswith("ZAW/O/") or one.title.startswith("FV/W/")
