"""The decision PDF (fpdf2, Source Sans Pro): basis, yearly tax, installments, instruction."""

from __future__ import annotations

from datetime import UTC, datetime, time
from fractions import Fraction
from math import floor
from typing import TYPE_CHECKING, Any

from fpdf import FPDF

from property_tax.assessment.fonts import font_files
from property_tax.assessment.rules import round_zl
from property_tax.rates.service import zl

if TYPE_CHECKING:
    from property_tax.assessment.models import Assessment, Installment
    from property_tax.assessment.service import Authority, Draft

FONT = "Sans"
MONTHS_GENITIVE = (
    "stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca",
    "lipca", "sierpnia", "września", "października", "listopada", "grudnia",
)  # fmt: skip
COLS = [(8, "Lp."), (52, "Przedmiot opodatkowania"), (40, "Położenie"), (24, "Podstawa"),
        (14, "Udział"), (18, "Stawka"), (24, "Podatek roczny")]  # fmt: skip


def _money(grosze: Fraction | int) -> str:
    """Exact grosze as złoty with two decimals (the object's tax before the total is rounded)."""
    return zl(floor(Fraction(grosze) + Fraction(1, 2)))


def _base(o: dict[str, Any]) -> str:
    if o["unit"] == "value":
        return zl(o["value_grosze"])
    text = f"{o['area'].replace('.', ',')} {o['unit']}"
    if o["area_reduced"]:
        text += f" + {o['area_reduced'].replace('.', ',')} m² × 50%"
    return text


def _rate(o: dict[str, Any]) -> str:
    if o["unit"] == "value":
        return f"{o['rate_percent'].replace('.', ',')}%"
    return f"{zl(o['rate_grosze'])}/{o['unit']}"


class Sheet(FPDF):
    def __init__(self, title: str, issued: datetime) -> None:
        super().__init__(format="A4")
        for style, path in font_files().items():
            self.add_font(FONT, style, path)
        self.set_title(title)
        self.set_author("Portal Komunalny")
        self.set_lang("pl")
        self.set_creation_date(issued)
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.cell(0, 5, f"Strona {self.page_no()}/{{nb}}", align="R")

    def line_text(self, text: str, size: float = 10, style: str = "", h: float = 5) -> None:
        self.set_font(FONT, style, size)
        self.multi_cell(0, h, text, new_x="LMARGIN", new_y="NEXT")


def render_decision(
    d: Draft, a: Assessment, rows: list[Installment], authority: Authority
) -> bytes:
    """The decision as the taxpayer receives it (Polish, one or two A4 pages)."""
    t = d.taxpayer
    change = a.version > 1
    pdf = Sheet(f"Decyzja {a.number}", datetime.combine(a.issued_on, time(12), UTC))
    pdf.add_page()
    pdf.set_font(FONT, "", 10)
    pdf.cell(0, 5, f"{authority.address.split(',')[-1].strip()}, dnia {a.issued_on:%d.%m.%Y} r.", align="R",
             new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.line_text(authority.name, 11, "B")
    pdf.line_text(authority.address)
    pdf.line_text(f"Znak sprawy: {a.number}")
    pdf.ln(4)
    pdf.set_x(110)
    pdf.multi_cell(85, 5, f"{t.name}\n{t.address}\nKartoteka: {t.payer_id}"
                   + (f"\nPESEL: {t.identifier}" if t.identifier else ""), new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.ln(5)
    heading = (
        f"DECYZJA ZMIENIAJĄCA nr {a.number}\nw sprawie wymiaru podatku od nieruchomości na {a.year} rok"
        if change
        else f"DECYZJA nr {a.number}\nw sprawie wymiaru podatku od nieruchomości na {a.year} rok"
    )
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(0, 6.5, heading, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.line_text(
        "Na podstawie art. 21 § 1 pkt 2, art. 207 i art. 210 ustawy z dnia 29 sierpnia 1997 r. – "
        "Ordynacja podatkowa oraz art. 2–6 ustawy z dnia 12 stycznia 1991 r. o podatkach i opłatach "
        f"lokalnych, w związku z uchwałą Rady Gminy w sprawie stawek podatku od nieruchomości na {a.year} r., "
        f"na podstawie informacji o nieruchomościach i obiektach budowlanych (IN-1) ustalam:",
        9.5,
    )
    pdf.ln(2)
    _objects(pdf, d.objects)
    pdf.ln(3)
    if change:
        pdf.line_text(
            f"Od 1 {MONTHS_GENITIVE[a.from_month - 1]} {a.year} r. zmienia się podstawa opodatkowania. "
            f"Podatek za {a.year} rok po zmianie wynosi {zl(a.tax_grosze)} "
            f"(dotychczas {zl(a.previous_tax_grosze)}).",
            10.5, "B",
        )  # fmt: skip
    else:
        months = 13 - a.from_month
        span = (
            "" if a.from_month == 1
            else f" (obowiązek od 1 {MONTHS_GENITIVE[a.from_month - 1]}, {months} mies.)"
        )  # fmt: skip
        pdf.line_text(
            f"Podatek od nieruchomości za {a.year} rok{span}: {zl(a.tax_grosze)}.", 10.5, "B"
        )
    exact = sum((Fraction(m) for m in a.monthly), Fraction(0))
    pdf.line_text(
        f"Suma podatku przed zaokrągleniem: {_money(exact)}; zaokrąglono do pełnych złotych "
        f"(art. 63 § 1 Ordynacji podatkowej): {zl(round_zl(exact))}.",
        9,
    )
    pdf.ln(2)
    _installments(pdf, a, rows)
    pdf.ln(3)
    pdf.line_text(
        "Wpłat należy dokonywać na indywidualny rachunek bankowy podatnika widoczny w Portalu "
        "Komunalnym (Należności, Płatności) i na blankiecie wpłaty, albo w kasie urzędu. "
        "Od zaległości podatkowych nalicza się odsetki za zwłokę.",
        9.5,
    )
    pdf.ln(2)
    pdf.line_text("Pouczenie", 10, "B")
    pdf.line_text(
        f"Od decyzji przysługuje odwołanie do Samorządowego Kolegium Odwoławczego za pośrednictwem "
        f"organu, który ją wydał ({authority.name}), w terminie 14 dni od dnia jej doręczenia. "
        "Wniesienie odwołania nie wstrzymuje wykonania decyzji.",
        9,
    )
    pdf.ln(8)
    pdf.set_x(120)
    pdf.set_font(FONT, "", 9.5)
    pdf.multi_cell(75, 5, f"z up. {authority.name}\n(podpis elektroniczny)", align="C")
    return bytes(pdf.output())


def _objects(pdf: Sheet, objects: list[dict[str, Any]]) -> None:
    pdf.set_font(FONT, "B", 8.5)
    for w, label in COLS:
        pdf.cell(w, 6, label, border=1, align="C")
    pdf.ln()
    pdf.set_font(FONT, "", 8.5)
    for i, o in enumerate(objects, start=1):
        t = Fraction(o["tax"])
        owners = "; ".join(f"{n} {s}" for n, s in o["co_owners"])
        cells = [
            str(i),
            o["label"][:40],
            o["location"][:30],
            _base(o),
            o["share"],
            _rate(o),
            _money(t),
        ]
        for (w, _), text in zip(COLS, cells, strict=True):
            pdf.cell(w, 6, text, border=1, align="R" if w in (24, 18, 14) else "L")
        pdf.ln()
        if owners:
            pdf.set_font(FONT, "", 7.5)
            pdf.cell(
                0,
                4.5,
                f"    współwłaściciele: {owners} (odpowiadają solidarnie)",
                new_x="LMARGIN",
                new_y="NEXT",
            )
            pdf.set_font(FONT, "", 8.5)
    if not objects:
        pdf.cell(
            0,
            6,
            "brak przedmiotów opodatkowania od tej daty",
            border=1,
            new_x="LMARGIN",
            new_y="NEXT",
        )


def _installments(pdf: Sheet, a: Assessment, rows: list[Installment]) -> None:
    if a.at_once:
        pdf.line_text(
            "Podatek nie przekracza 100 zł — jest płatny jednorazowo w terminie pierwszej raty.",
            9.5,
        )
    pdf.set_font(FONT, "B", 9)
    for w, label in (
        (30, "Rata"),
        (40, "Termin płatności"),
        (40, "Kwota raty"),
        (40, "Do zapłaty teraz"),
    ):
        pdf.cell(w, 6, label, border=1, align="C")
    pdf.ln()
    pdf.set_font(FONT, "", 9)
    for r in rows:
        label = "jednorazowo" if a.at_once and r.amount_grosze == a.tax_grosze else r.label
        for w, text in ((30, label), (40, f"{r.due_date:%d.%m.%Y}"), (40, zl(r.amount_grosze)),
                        (40, zl(r.charged_grosze))):  # fmt: skip
            pdf.cell(w, 6, text, border=1, align="L" if w == 30 else "R")
        pdf.ln()
    if a.reduction_grosze:
        pdf.line_text(
            f"Zmniejszenie należności o {zl(a.reduction_grosze)} zostanie zaliczone na poczet rat "
            "lub zwrócone (nadpłata).",
            9,
        )
