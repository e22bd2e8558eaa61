"""FA(3) XML of an invoice or a correction, built with ksef-client from plain data (pure)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from portal_platform.errors import DomainError

NAMESPACE = "http://crd.gov.pl/wzor/2025/06/25/13775/"
PRZELEW = "6"  # FormaPlatnosci: przelew


class Fa3Error(DomainError):
    """The document cannot be expressed as a valid FA(3) invoice; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code="einvoice.invalid", field="document_id")


@dataclass(frozen=True)
class Party:
    name: str
    nip: str
    address: str


@dataclass(frozen=True)
class Line:
    description: str
    quantity: Decimal
    unit: str
    unit_net_grosze: int
    net_grosze: int
    vat_rate: str
    vat_grosze: int
    gross_grosze: int
    period_from: date | None = None
    period_to: date | None = None
    before: bool = False  # a correction's line as it stood before (StanPrzed)


@dataclass(frozen=True)
class Corrected:
    number: str
    issued_on: date
    ksef_number: str = ""


@dataclass(frozen=True)
class Source:
    """What an FA(3) invoice says, taken from the issued document (frozen data only)."""

    number: str
    issued_on: date
    gross_grosze: int
    seller: Party
    buyer: Party
    lines: tuple[Line, ...]
    unit: Party | None = None  # Podmiot3 "JST – wystawca"
    due_dates: tuple[date, ...] = ()
    account: str = ""
    bank: str = ""
    corrects: Corrected | None = None
    reason: str = ""
    exemption_basis: str = ""
    np_code: str = ""


def _money(grosze: int) -> Decimal:
    return Decimal(grosze) / 100


def _tax(rate: str, src: Source) -> Any:
    from ksef_client.documents.fa3 import TaxCategory

    simple = {
        "23": TaxCategory.standard_23,
        "8": TaxCategory.reduced_8,
        "5": TaxCategory.reduced_5,
        "0": TaxCategory.zero_domestic,
        "oo": TaxCategory.reverse_charge,
    }
    if rate in simple:
        return simple[rate]()
    if rate == "zw":
        if not src.exemption_basis:
            raise Fa3Error(
                "Pozycja zwolniona z VAT (zw) wymaga podstawy prawnej zwolnienia: "
                "ustaw BILLING_KSEF_EXEMPTION_BASIS."
            )
        return TaxCategory.exempt(src.exemption_basis)
    if rate == "np":
        if not src.np_code:
            raise Fa3Error(
                "Stawka „np” nie ma jednoznacznego odpowiednika w FA(3) (np I / np II): "
                "ustaw BILLING_KSEF_NP_CODE."
            )
        return TaxCategory.from_rate_code(src.np_code)
    raise Fa3Error(f"Stawka VAT „{rate}” nie jest obsługiwana w FA(3).")


def _party(p: Party, role: str) -> Any:
    from ksef_client.documents.fa3 import Address, InvoiceParty

    if not p.nip:
        raise Fa3Error(f"{role}: brak NIP.")
    if not p.name.strip() or not p.address.strip():
        raise Fa3Error(f"{role}: brak nazwy lub adresu.")
    return InvoiceParty.polish_company(nip=p.nip, name=p.name, address=Address.polish(p.address))


def _line(ln: Line, src: Source) -> Any:
    from ksef_client.documents.fa3 import InvoiceLine

    # net and VAT as issued (VAT is allocated per rate on the document, not per line)
    return InvoiceLine(
        description=ln.description,
        quantity=ln.quantity,
        unit_net_price=_money(ln.unit_net_grosze),
        tax=_tax(ln.vat_rate, src),
        unit=ln.unit or "szt.",
        net_amount=_money(ln.net_grosze),
        vat_amount=_money(ln.vat_grosze),
        before_correction=ln.before,
    )


def _sign_issues(lines: tuple[Line, ...]) -> set[str]:
    """ksef-client refuses quantities ≤ 0 and negative prices; FA(3) itself allows them.

    A water invoice settling an estimate carries reversal lines (−5 m³), a correction may
    bring a line down to 0: these exact messages are dropped, every other check stays.
    """
    out = set()
    for i, ln in enumerate(lines, start=1):
        if ln.quantity <= 0:
            out.add(f"invoice.lines[{i}]: ilość musi być większa od zera.")
        if ln.unit_net_grosze < 0:
            out.add(f"invoice.lines[{i}]: cena netto nie może być ujemna.")
    return out


def _as_differences(lines: tuple[Line, ...]) -> tuple[Line, ...]:
    """A correction's lines as differences: each line as it stood, taken back, then the new.

    ksef-client 0.20 subtracts a StanPrzed line from the totals only when its amount is
    positive, so a negative line as it stood (a settled estimate) would be added instead.
    """
    return tuple(
        replace(
            ln,
            quantity=-ln.quantity,
            net_grosze=-ln.net_grosze,
            vat_grosze=-ln.vat_grosze,
            gross_grosze=-ln.gross_grosze,
            before=False,
        )
        if ln.before
        else ln
        for ln in lines
    )


def build(src: Source) -> bytes:
    """The FA(3) XML of the document, validated against the official XSD shipped by ksef-client."""
    if any(ln.before and ln.gross_grosze < 0 for ln in src.lines):
        src = replace(src, lines=_as_differences(src.lines))
    from ksef_client.documents.fa3 import (
        AnnotationSet,
        BankAccount,
        CorrectionReference,
        FA3Invoice,
        FA3InvoiceKind,
        FA3XmlValidationError,
        PaymentTerms,
        ThirdPartyRole,
        invoice_to_xml,
    )

    lines = tuple(_line(ln, src) for ln in src.lines)
    periods = [(ln.period_from, ln.period_to) for ln in src.lines if not ln.before]
    whole_period = bool(periods) and all(a and b for a, b in periods) and src.corrects is None
    parties: tuple[Any, ...] = ()
    if src.unit is not None and src.unit.nip != src.seller.nip:
        # Podmiot3 is a party other than the seller: a unit with the gmina's own NIP is the
        # gmina itself and is not repeated there
        unit = _party(src.unit, "Jednostka wystawiająca (Podmiot3)")
        parties = (replace(unit, role=ThirdPartyRole.JST_SELLER),)
    payment = None
    if src.gross_grosze > 0 and (src.due_dates or src.account):
        payment = PaymentTerms(
            due_dates=src.due_dates,
            method=PRZELEW,
            bank_accounts=(BankAccount(src.account, bank_name=src.bank or None),)
            if src.account
            else (),
        )
    invoice = FA3Invoice(
        invoice_number=src.number,
        issue_date=src.issued_on,
        seller=_party(src.seller, "Sprzedawca (gmina)"),
        buyer=_party(src.buyer, "Nabywca"),
        lines=lines,
        kind=FA3InvoiceKind.CORRECTION if src.corrects else FA3InvoiceKind.BASIC,
        period_from=min(p[0] for p in periods if p[0]) if whole_period else None,
        period_to=max(p[1] for p in periods if p[1]) if whole_period else None,
        additional_parties=parties,
        annotations=AnnotationSet.default().merge_tax_categories([x.tax for x in lines]),
        payment_terms=payment,
        correction_reason=(src.reason or None) if src.corrects else None,
        corrected_invoices=(
            CorrectionReference(
                src.corrects.number, src.corrects.issued_on, src.corrects.ksef_number or None
            ),
        )
        if src.corrects
        else (),
    )
    allowed = _sign_issues(src.lines)
    errors = [e.message for e in invoice.validate().errors if e.message not in allowed]
    if errors:
        raise Fa3Error("FA(3): " + "; ".join(errors))
    try:
        xml: bytes = invoice_to_xml(invoice, validate=False, facets=True, xsd_validate=True)
    except (FA3XmlValidationError, ValueError) as exc:
        raise Fa3Error(f"FA(3) niezgodna ze schematem: {exc}") from exc
    total = p15(xml)
    if total != src.gross_grosze:
        raise Fa3Error(
            f"FA(3): kwota należności P_15 ({total / 100:.2f}) różni się od kwoty dokumentu "
            f"({src.gross_grosze / 100:.2f})."
        )
    return xml


def p15(xml: bytes) -> int:
    """P_15 (gross total) of an FA(3) document, in grosze."""
    from lxml import etree

    node = etree.fromstring(xml).find(f"{{{NAMESPACE}}}Fa/{{{NAMESPACE}}}P_15")
    if node is None or not node.text:
        raise Fa3Error("FA(3): brak P_15.")
    return int(Decimal(node.text) * 100)
