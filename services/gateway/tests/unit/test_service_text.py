"""Texts the services make in Polish are shown in English on English pages.

The texts come from the services' own code (labels, title builders, invoice lines), so a new
label or a changed title in a service fails here until the gateway's catalogue knows it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from billing.ledger.queries import _payment_label as payment_label
from billing.ledger.queries import accrued_interest_label
from billing.payments.service import _title as online_payment_title
from gateway.web.service_text import service_markup, service_text
from portal_platform.i18n import current_language
from property_tax.assessment.rules import COMPANY_PERIODS, PERSON_PERIODS
from property_tax.rates.catalog import CATEGORIES
from property_tax.rpc.module import DESCRIPTION as TAX_MODULE
from waste.assessment.recalc import notice_title
from waste.assessment.service import installment_title
from waste.rpc.module import DESCRIPTION as WASTE_MODULE
from water.readings.rules import STATUS_LABELS
from water.rpc.module import DESCRIPTION as WATER_MODULE
from water.settlements.service import title_for
from water.tariffs.invoice import Consumption, compute_invoice, reversal_lines
from water.tariffs.prices import (
    ABONAMENT_GARDEN,
    ABONAMENT_SEWAGE,
    ABONAMENT_WATER,
    COMPONENT_LABELS,
    SEWAGE,
    WATER,
    Price,
    PriceTable,
)

POLISH = set("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
# the water service's reading campaigns and tariff groups as its migration ships them
CAMPAIGNS = ["Odczyt do 30 czerwca", "Odczyt do 30 listopada", "Odczyt do 15 czerwca"]
GROUPS = ["Gospodarstwa domowe", "Działki i domki letniskowe", "Firmy i instytucje"]


@pytest.fixture
def english() -> Iterator[None]:
    token = current_language.set("en")
    yield
    current_language.reset(token)


def invoice_lines() -> list[str]:
    """Every kind of line water puts on an invoice: tariff change, prorated month, estimates."""
    before, after = date(2025, 7, 28), date(2025, 7, 29)
    prices = PriceTable(
        [
            Price(WATER, "m3", 400, date(2025, 1, 1), before),
            Price(WATER, "m3", 420, after),
            Price(SEWAGE, "m3", 1000, date(2025, 1, 1)),
            Price(ABONAMENT_WATER, "month", 500, date(2025, 1, 1), before),
            Price(ABONAMENT_WATER, "month", 520, after),
            Price(ABONAMENT_SEWAGE, "quarter", 900, date(2025, 1, 1)),
            Price(ABONAMENT_GARDEN, "period", 300, date(2025, 1, 1)),
        ]
    )
    invoice = compute_invoice(
        period_from=date(2025, 6, 1),
        period_to=date(2025, 11, 30),
        consumption=Consumption(main=Decimal(90), garden=Decimal(12)),
        prices=prices,
    )
    note = "Rozliczenie faktury szacunkowej 01.06.2025–30.11.2025"  # water's settlements/plan.py
    return [x.description for x in [*invoice.lines, *reversal_lines(invoice.lines, note)]]


def service_texts() -> list[str]:
    premises = SimpleNamespace(number="PP-000001", address="Ludwin 12, 21-075 Ludwin")
    plan = SimpleNamespace(period_from=date(2026, 6, 1), period_to=date(2026, 11, 30))
    amount = "1\u00a0408,33 zł"
    return [
        *COMPONENT_LABELS.values(),
        *STATUS_LABELS.values(),
        *CAMPAIGNS,
        *GROUPS,
        *invoice_lines(),
        title_for(premises, plan, estimated=False),
        title_for(premises, plan, estimated=True),
        "Ostatni odczyt wodomierza",
        f"26.11.2026: 123,5 m³, 4 m³ — {STATUS_LABELS['pending']}",
        "Następny termin odczytu",
        f"{CAMPAIGNS[1]} (30.11.2026) — odczyt podany.",
        f"{CAMPAIGNS[1]} (30.11.2026) — odczyt jeszcze niepodany.",
        installment_title(2027, 2),
        installment_title(2027, 0),
        notice_title(2027, 3),
        notice_title(2027, 0),
        "Opłata za odpady 2027",
        "Kwota roczna: 760,08 zł",
        "Najbliższa rata opłaty za odpady",
        "rata 2: 190,02 zł do 15.05.2027",
        "ryczałt: 190,02 zł do 15.05.2027",
        "Opłata za odpady — rata 4 (190,02 zł)",
        *(c.label for c in CATEGORIES.values()),
        *(p.label for p in PERSON_PERIODS + COMPANY_PERIODS),
        "Podatek od nieruchomości 2026",
        "Decyzja PN.3120.2026.1: 519,00 zł za rok",
        f"Deklaracja DN-1 DN-1.2027.3: {amount} za rok",
        "Najbliższa rata podatku od nieruchomości",
        f"październik: {amount} do 15.10.2027",
        "jednorazowo: 90,00 zł do 16.03.2026",
        "Podatek od nieruchomości — rata 4 (129,75 zł)",
        "Decyzja PN.3120.2026.1 — podatek od nieruchomości 2026, rata 1",
        "Decyzja PN.3120.2026.2 — podatek od nieruchomości 2026, zmiana od 07.2026, rata 3",
        "Podatek od nieruchomości 2026 — rata 2 (PN.3120.2026.1)",
        "Podatek od nieruchomości 2027 — jednorazowo (PN.3120.2027.4)",
        "Opłata należności (3), kartoteka P-000001",
        "Wszystkie należności, kartoteka P-000001",
        "Upomnienie — zaległości (water)",
        "Koszty upomnienia",
        "Odsetki za zwłokę",
        accrued_interest_label(date(2026, 11, 26)),
        f"Korekta: {installment_title(2027, 1)}",
        *statement_payments(),
        "Wpłata (zaliczona)",
        "Zaliczenie nadpłaty",
    ]


def statement_payments() -> list[str]:
    """Payments as billing describes them in the account statement (kartoteka)."""
    online = [online_payment_title("P-000001", 2), online_payment_title("P-000001", 0)]
    return [
        *(payment_label(SimpleNamespace(channel="online", title=t)) for t in online),
        *(payment_label(SimpleNamespace(channel=c, title="")) for c in ("statement", "cash", "x")),
    ]


@pytest.mark.parametrize("text", service_texts())
def test_service_text_is_translated(english: None, text: str) -> None:
    shown = service_text(text)
    assert shown != text, f"no English for {text!r}"
    assert not POLISH & set(shown.replace("zł", "")), f"{text!r} → {shown!r}"
    assert 'lang="pl"' not in service_markup(text)


def test_numbers_dates_amounts_and_addresses_are_kept(english: None) -> None:
    assert service_text("Opłata za odpady komunalne — rata 2/2027") == (
        "Municipal waste fee — installment 2/2027"
    )
    assert service_text("Odczyt do 30 listopada (30.11.2026) — odczyt podany.") == (
        "Reading by 30 November (30.11.2026) — reading given."
    )
    premises = SimpleNamespace(number="PP-000001", address="Rozpłucie Drugie 7, 21-075 Ludwin")
    plan = SimpleNamespace(period_from=date(2026, 6, 1), period_to=date(2026, 11, 30))
    assert service_text(title_for(premises, plan, estimated=False)) == (
        "Invoice for water and sewage 01.06.2026–30.11.2026, PP-000001, "
        "Rozpłucie Drugie 7, 21-075 Ludwin"
    )


def test_unknown_text_stays_polish_and_is_marked(english: None) -> None:
    assert service_text("Odczyt przyjęty po wyjaśnieniu") == "Odczyt przyjęty po wyjaśnieniu"
    assert service_markup("Odczyt <przyjęty>") == '<span lang="pl">Odczyt &lt;przyjęty&gt;</span>'
    # a known pattern around an unknown phrase is not half-translated
    assert service_text("Korekta: błędny adres") == "Korekta: błędny adres"


def test_quoted_titles_stay_polish_inside_a_translated_entry(english: None) -> None:
    """A transfer title or a clerk's reason is kept as it came, marked lang="pl" on its own."""
    transfer = payment_label(SimpleNamespace(channel="statement", title="Opłata za wodę <III>"))
    assert service_text(transfer) == "Payment to the account: Opłata za wodę <III>"
    assert service_markup(transfer) == (
        'Payment to the account: <span lang="pl">Opłata za wodę &lt;III&gt;</span>'
    )
    cash = payment_label(SimpleNamespace(channel="cash", title="KP/12/2026"))
    assert service_text(cash) == "Payment at the office cash desk: KP/12/2026"
    assert service_markup("Zwrot nadpłaty: wniosek z 3.11.2026") == (
        'Refund of overpayment: <span lang="pl">wniosek z 3.11.2026</span>'
    )
    online = payment_label(SimpleNamespace(channel="online", title=online_payment_title("P-1", 3)))
    assert service_markup(online) == "Online payment: Payment of receivables (3), kartoteka P-1"


def test_polish_pages_show_the_text_as_it_is() -> None:
    text = installment_title(2027, 2)
    assert service_text(text) == text
    assert service_markup(text, lower=True) == "o" + text[1:]
    assert service_markup("Wpłata na rachunek: <x>") == "Wpłata na rachunek: &lt;x&gt;"


def test_modules_describe_themselves_in_both_languages() -> None:
    """The dashboard and menu take module names from DescribeModule, not the catalogue."""
    for d in (WATER_MODULE, WASTE_MODULE, TAX_MODULE):
        assert d.label_en and d.section_en and d.label_en != d.label_pl
