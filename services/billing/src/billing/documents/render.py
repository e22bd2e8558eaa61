"""PDF of invoices, fee notices, corrections and reminders (fpdf2, embedded Source Sans Pro)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time

from fpdf import FPDF
from fpdf.enums import TextMode
from fpdf.fonts import TTFFont

from billing.documents.fonts import font_files
from billing.documents.money import in_words, pln
from billing.documents.qr import png
from billing.documents.views import DocumentView, Line
from billing.payers.accounts import group

FONT = "Sans"
COLS = [
    (8, "Lp."),
    (62, "Nazwa"),
    (14, "Ilość"),
    (12, "j.m."),
    (20, "Cena netto"),
    (22, "Wartość netto"),
    (12, "VAT %"),
    (18, "VAT"),
    (22, "Brutto"),
]


class Sheet(FPDF):
    """An A4 page with the portal's font, metadata and page numbers."""

    def __init__(self, title: str, issued: datetime) -> None:
        super().__init__(format="A4")
        # One embedded face (bold is drawn as filled + stroked text): each embedded face costs
        # a font subset per PDF, the largest part of the rendering time.
        self.add_font(FONT, "", font_files()[""])
        for font in self.fonts.values():
            if not isinstance(font, TTFFont):
                continue
            # the trimmed font's boxes are right already; recomputing them on save would
            # decompile and recompile every glyph
            font.ttfont.recalcBBoxes = False
        self.set_title(title)
        self.set_author("Portal Komunalny")
        self.set_lang("pl")
        self.set_creation_date(issued)
        self.set_auto_page_break(True, margin=18)
        self.set_margins(15, 15, 15)
        self.alias_nb_pages()

    def set_font(self, family: str | None = None, style: str = "", size: float = 0) -> None:  # type: ignore[override]
        """Bold as fill + stroke of the one embedded face."""
        bold = "B" in style
        if not bold and self.text_mode != TextMode.FILL and self.page:
            # the text render mode is graphics state that outlives BT/ET: reset it here
            self._out("0 Tr")
        self.text_mode = TextMode.FILL_STROKE if bold else TextMode.FILL
        self.set_line_width(0.5 if bold else 0.2)  # fpdf2 writes the text stroke width as points
        super().set_font(family, style.replace("B", ""), size)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.cell(0, 5, f"Strona {self.page_no()}/{{nb}}", align="R")

    def text_line(self, text: str, size: float = 10, style: str = "", h: float = 5) -> None:
        self.set_font(FONT, style, size)
        if self.get_string_width(text) < self.epw - 2:  # one line: the cheaper cell()
            self.cell(0, h, text, new_x="LMARGIN", new_y="NEXT")
        else:
            self.multi_cell(0, h, text, new_x="LMARGIN", new_y="NEXT")


def _parties(pdf: Sheet, v: DocumentView) -> None:
    top = pdf.get_y()
    for x, heading, party in (
        (15, "Sprzedawca / wierzyciel", v.seller),
        (110, "Nabywca / płatnik", v.buyer),
    ):
        pdf.set_xy(x, top)
        pdf.set_font(FONT, "B", 9)
        pdf.cell(85, 5, heading, new_x="LEFT", new_y="NEXT")
        pdf.set_font(FONT, "", 10)
        text = "\n".join(
            t for t in (party.name, party.address, f"NIP {party.nip}" if party.nip else "") if t
        )
        pdf.multi_cell(85, 5, text or "—", new_x="LEFT", new_y="NEXT")
    pdf.set_xy(110, pdf.get_y())
    pdf.set_font(FONT, "", 9)
    pdf.cell(85, 5, f"Kartoteka: {v.payer_id}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def _lines_table(pdf: Sheet, lines: list[Line], caption: str = "") -> None:
    if caption:
        pdf.text_line(caption, 10, "B")
    pdf.set_font(FONT, "B", 8)
    for w, head in COLS:
        pdf.cell(w, 6, head, border=1, align="C")
    pdf.ln()
    pdf.set_font(FONT, "", 8)
    for i, ln in enumerate(lines, start=1):
        desc = ln.description + (f" ({ln.period})" if ln.period else "")
        values = [
            str(i),
            desc,
            ln.quantity,
            ln.unit,
            pln(ln.unit_net, unit=False),
            pln(ln.net, unit=False),
            ln.vat_rate,
            pln(ln.vat, unit=False),
            pln(ln.gross, unit=False),
        ]
        for (w, _), val in zip(COLS, values, strict=True):
            align = "L" if val is desc else "R"
            pdf.cell(w, 6, _fit(pdf, val, w), border=1, align=align)
        pdf.ln()
    pdf.ln(2)


def _fit(pdf: Sheet, text: str, width: float) -> str:
    if pdf.get_string_width(text) <= width - 2:
        return text
    while text and pdf.get_string_width(text + "…") > width - 2:
        text = text[:-1]
    return text + "…"


def _vat_summary(pdf: Sheet, lines: list[Line]) -> None:
    per_rate: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for ln in lines:
        t = per_rate[ln.vat_rate]
        t[0] += ln.net
        t[1] += ln.vat
        t[2] += ln.gross
    pdf.set_font(FONT, "", 9)
    for rate, (net, vat, gross) in sorted(per_rate.items()):
        suffix = "%" if rate.isdigit() else ""
        pdf.cell(
            0,
            5,
            f"Stawka {rate}{suffix}: netto {pln(net)}, VAT {pln(vat)}, brutto {pln(gross)}",
            new_x="LMARGIN",
            new_y="NEXT",
            align="R",
        )


def _payment_box(pdf: Sheet, v: DocumentView, amount: int) -> None:
    pdf.ln(3)
    y = pdf.get_y()
    if y > 230:
        pdf.add_page()
        y = pdf.get_y()
    pdf.set_font(FONT, "B", 11)
    pdf.cell(140, 6, f"Do zapłaty: {pln(amount)}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(140, 5, f"Słownie: {in_words(amount)}", new_x="LMARGIN", new_y="NEXT")
    for due, part in v.installments:
        pdf.cell(
            140, 5, f"Termin płatności {due:%d.%m.%Y}: {pln(part)}", new_x="LMARGIN", new_y="NEXT"
        )
    pdf.set_font(FONT, "B", 10)
    pdf.cell(140, 6, f"Rachunek do wpłat: {group(v.account)}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)
    pdf.multi_cell(
        140,
        5,
        f"{v.bank} — rachunek indywidualny płatnika. W tytule: {v.number or v.title}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if v.qr_payload:
        pdf.image(png(v.qr_payload), x=160, y=y, w=35, alt_text="Kod QR do zapłaty (standard ZBP)")
        pdf.set_xy(155, y + 35)
        pdf.set_font(FONT, "", 7)
        pdf.cell(45, 4, "Zeskanuj w aplikacji banku", align="C")
        pdf.set_xy(15, max(pdf.get_y(), y + 42))


def render_document(v: DocumentView) -> bytes:
    """The PDF of an issued document; the same data always gives the same file."""
    pdf = Sheet(f"{v.label} {v.number}", datetime.combine(v.issued_on, time(12), UTC))
    pdf.add_page()
    pdf.text_line(f"{v.label} nr {v.number}" if v.number else v.label, 16, "B", 8)
    pdf.text_line(f"Data wystawienia: {v.issued_on:%d.%m.%Y}   Miejsce: {v.seller.address}", 9)
    pdf.ln(3)
    _parties(pdf, v)
    pdf.text_line(v.title, 11, "B")
    if v.kind == "correction":
        pdf.text_line(
            f"Korekta dokumentu nr {v.corrects_number}. Przyczyna korekty: {v.reason}", 10
        )
        _lines_table(pdf, v.original_lines, "Było:")
        _lines_table(pdf, v.lines, "Jest:")
        pdf.text_line(
            f"Różnica do zapłaty (ujemna: do zwrotu lub zaliczenia): {pln(v.gross)}", 10, "B"
        )
    elif v.kind == "reminder":
        _reminder_body(pdf, v)
    else:
        _lines_table(pdf, v.lines)
        _vat_summary(pdf, v.lines)
    if v.gross > 0:
        _payment_box(pdf, v, v.gross)
    for note in v.notes:
        pdf.text_line(note, 8)
    return bytes(pdf.output())


def _reminder_body(pdf: Sheet, v: DocumentView) -> None:
    pdf.text_line(
        "Wzywamy do zapłaty zaległości wymienionych poniżej w terminie 7 dni od doręczenia "
        "upomnienia. Brak wpłaty spowoduje wszczęcie postępowania egzekucyjnego.",
        10,
    )
    pdf.ln(2)
    heads = [(70, "Należność"), (35, "Dokument"), (25, "Termin"), (25, "Kwota"), (25, "Odsetki")]
    pdf.set_font(FONT, "B", 8)
    for w, h in heads:
        pdf.cell(w, 6, h, border=1, align="C")
    pdf.ln()
    pdf.set_font(FONT, "", 8)
    for a in v.arrears:
        vals = [
            a.title,
            a.document_number,
            f"{a.due_date:%d.%m.%Y}",
            pln(a.principal),
            pln(a.interest),
        ]
        for (w, _), val in zip(heads, vals, strict=True):
            pdf.cell(w, 6, _fit(pdf, val, w), border=1, align="L" if val is a.title else "R")
        pdf.ln()
    pdf.ln(2)
    pdf.text_line(f"Koszty upomnienia: {pln(v.cost)}", 10)
    pdf.text_line("Odsetki za zwłokę naliczone na dzień wystawienia; rosną do dnia zapłaty.", 8)
