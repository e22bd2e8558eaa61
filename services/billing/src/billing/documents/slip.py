"""Payment slip PDF: the ZBP transfer / cash-deposit form in two copies, with the QR code."""

from __future__ import annotations

import textwrap
from datetime import datetime

from billing.documents.money import plain
from billing.documents.qr import png
from billing.documents.render import FONT, Sheet
from billing.documents.views import SlipView

WIDTH = 27  # characters per line of a name or title field on the ZBP form


def two_lines(text: str) -> list[str]:
    """A field of 2 × 27 characters; longer text is cut."""
    lines = textwrap.wrap(" ".join(text.split()), WIDTH)
    return [*lines, "", ""][:2]


def _field(pdf: Sheet, x: float, y: float, w: float, label: str, lines: list[str]) -> float:
    pdf.set_xy(x, y)
    pdf.set_font(FONT, "", 6.5)
    pdf.cell(w, 3.5, label)
    h = 5.5 * len(lines) + 1
    pdf.rect(x, y + 3.5, w, h)
    pdf.set_font(FONT, "B", 10)
    for i, text in enumerate(lines):
        pdf.set_xy(x + 1, y + 4 + 5.5 * i)
        pdf.cell(w - 2, 5.5, text)
    return y + 3.5 + h + 1.5


def _copy(pdf: Sheet, v: SlipView, top: float, heading: str) -> None:
    x, w = 15, 130
    pdf.set_xy(x, top)
    pdf.set_font(FONT, "B", 11)
    pdf.cell(w, 6, "Polecenie przelewu / wpłata gotówkowa")
    pdf.set_font(FONT, "", 8)
    pdf.set_xy(x + w - 40, top)
    pdf.cell(40, 6, heading, align="R")
    y = top + 8
    y = _field(pdf, x, y, w, "nazwa odbiorcy", [v.recipient[:WIDTH], v.recipient_address[:WIDTH]])
    y = _field(pdf, x, y, w, "nr rachunku odbiorcy", [v.account])
    pdf.set_xy(x, y)
    y2 = _field(pdf, x, y, 30, "waluta", ["PLN"])
    _field(pdf, x + 35, y, w - 35, "kwota", [plain(v.amount)])
    y = _field(pdf, x, y2, w, "kwota słownie", [v.amount_words[:70]])
    y = _field(pdf, x, y, w, "nazwa zleceniodawcy", [v.payer[:WIDTH], v.payer_address[:WIDTH]])
    y = _field(pdf, x, y, w, "tytułem", two_lines(v.title))
    pdf.image(
        png(v.qr_payload), x=152, y=top + 10, w=42, alt_text="Kod QR do zapłaty (standard ZBP)"
    )
    pdf.set_xy(150, top + 54)
    pdf.set_font(FONT, "", 7)
    pdf.multi_cell(46, 3.5, "Zeskanuj kod w aplikacji banku, aby wypełnić przelew.", align="C")


def render_slip(v: SlipView, printed: datetime) -> bytes:
    """The slip PDF: the bank's copy and the payer's copy on one A4 page."""
    pdf = Sheet(f"Blankiet wpłaty — {v.title}", printed)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    _copy(pdf, v, 12, "dla banku")
    pdf.set_draw_color(150)
    pdf.set_dash_pattern(dash=2, gap=2)
    pdf.line(10, 148, 200, 148)
    pdf.set_dash_pattern()
    pdf.set_draw_color(0)
    _copy(pdf, v, 155, "dla zleceniodawcy")
    return bytes(pdf.output())
