"""Server-side SVG bar charts (R13); the numbers are also given in a table beside each chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from gateway.web.i18n import _

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 24, 56


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    text: str  # the value as shown to people, e.g. "56,74 m³"
    estimated: bool = False


def _nice_max(value: Decimal) -> Decimal:
    """A round upper bound for the axis (1, 2, 5 × 10^n)."""
    if value <= 0:
        return Decimal(1)
    exp = len(str(int(value))) - 1
    for step in (1, 2, 5, 10):
        top = Decimal(step) * Decimal(10) ** exp
        if top >= value:
            return top
    return Decimal(10) ** (exp + 1)


def bar_chart(
    chart_id: str, title: str, description: str, bars: Sequence[Bar], axis_unit: str
) -> str:
    """An accessible SVG: role img, title and description; estimated bars hatched and labelled."""
    top = _nice_max(max((b.value for b in bars), default=Decimal(0)))
    estimate = escape(_("szacunek"))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(bars), 1)
    bar_w = min(slot * 0.6, 80)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'class="chart" role="img" aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(description)}</desc>',
        '<defs><pattern id="' + chart_id + '-hatch" width="6" height="6" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" '
        'stroke="#0b4f8a" stroke-width="3"/></pattern></defs>',
    ]
    for i in range(5):
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
            'stroke="#cccccc" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
            f'fill="#1a1a1a">{escape(_axis(value))}</text>'
        )
    parts.append(
        f'<text x="{LEFT - 6}" y="{TOP - 8}" text-anchor="end" font-size="12" '
        f'fill="#1a1a1a">{escape(axis_unit)}</text>'
    )
    for i, b in enumerate(bars):
        h = float(plot_h * b.value / top) if b.value > 0 else 0.0
        x = LEFT + slot * i + (slot - bar_w) / 2
        y = TOP + plot_h - h
        fill = f"url(#{chart_id}-hatch)" if b.estimated else "#0b4f8a"
        note = f" ({estimate})" if b.estimated else ""
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{fill}" '
            f'stroke="#0b4f8a"><title>{escape(b.label)}: {escape(b.text)}{note}</title></rect>'
            f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="11" '
            f'fill="#1a1a1a">{escape(b.text)}</text>'
            f'<text x="{x + bar_w / 2:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" '
            f'font-size="11" fill="#1a1a1a">{escape(b.label)}</text>'
        )
        if b.estimated:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{TOP + plot_h + 30}" text-anchor="middle" '
                f'font-size="11" fill="#1a1a1a">{estimate}</text>'
            )
    parts.append(
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" '
        'stroke="#1a1a1a" stroke-width="1"/></svg>'
    )
    return "".join(parts)


def _axis(value: Decimal) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")
