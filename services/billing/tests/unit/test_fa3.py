"""FA(3) from plain data: every VAT rate billing knows, and what cannot be expressed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from ksef_client.documents.fa3 import validate_fa3_xml_xsd
from lxml import etree

from billing.ksef import fa3

NS = "{http://crd.gov.pl/wzor/2025/06/25/13775/}"


def line(rate: str, net: int, vat: int) -> fa3.Line:
    return fa3.Line(f"Usługa {rate}", Decimal("1"), "szt.", net, net, rate, vat, net + vat)


def source(*lines: fa3.Line, **kw) -> fa3.Source:
    return fa3.Source(
        number="FV/W/2026/06/000001",
        issued_on=date(2026, 6, 30),
        gross_grosze=sum(x.gross_grosze for x in lines),
        seller=fa3.Party("Gmina Ludwin", "5252248481", "Ludwin 51, 21-075 Ludwin"),
        buyer=fa3.Party("Firma", "7740001454", "ul. Polna 3, 21-075 Ludwin"),
        lines=lines,
        due_dates=(date(2026, 7, 14),),
        account="36819110552001900000000001",
        **kw,
    )


def totals(xml: bytes) -> dict[str, str]:
    fa = etree.fromstring(xml).find(f"{NS}Fa")
    return {el.tag.removeprefix(NS): el.text for el in fa if el.tag.startswith(f"{NS}P_1")}


def test_every_rate_goes_to_its_own_total():
    xml = fa3.build(
        source(
            line("23", 10_000, 2_300),
            line("8", 10_000, 800),
            line("5", 10_000, 500),
            line("0", 10_000, 0),
            line("zw", 10_000, 0),
            line("np", 10_000, 0),
            exemption_basis="art. 43 ust. 1 pkt 37 ustawy o VAT",
            np_code="np I",
        )
    )
    validate_fa3_xml_xsd(xml)
    assert totals(xml) == {
        "P_1": "2026-06-30",
        "P_13_1": "100.00",
        "P_14_1": "23.00",
        "P_13_2": "100.00",
        "P_14_2": "8.00",
        "P_13_3": "100.00",
        "P_14_3": "5.00",
        "P_13_6_1": "100.00",
        "P_13_7": "100.00",
        "P_13_8": "100.00",
        "P_15": "636.00",
    }
    zw = etree.fromstring(xml).find(f"{NS}Fa/{NS}Adnotacje/{NS}Zwolnienie")
    assert zw.findtext(f"{NS}P_19A") == "art. 43 ust. 1 pkt 37 ustawy o VAT"


@pytest.mark.parametrize(
    ("rate", "setting"), [("zw", "BILLING_KSEF_EXEMPTION_BASIS"), ("np", "BILLING_KSEF_NP_CODE")]
)
def test_a_rate_without_its_setting_is_refused_with_the_setting_named(rate, setting):
    with pytest.raises(fa3.Fa3Error) as refused:
        fa3.build(source(line(rate, 10_000, 0)))
    assert setting in refused.value.message


def test_a_total_that_does_not_add_up_is_refused():
    wrong = replace(source(line("23", 10_000, 2_300)), gross_grosze=12_301)
    with pytest.raises(fa3.Fa3Error) as refused:
        fa3.build(wrong)
    assert "P_15" in refused.value.message


def test_an_invalid_buyer_nip_fails_the_official_schema():
    bad = replace(source(line("23", 10_000, 2_300)), buyer=fa3.Party("Firma", "0000000000", "x"))
    with pytest.raises(fa3.Fa3Error) as refused:
        fa3.build(bad)
    assert "schemat" in refused.value.message or "NIP" in refused.value.message
