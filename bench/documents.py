"""Rendering documents: invoice PDF and payment slip PDF (fpdf2, embedded font, ZBP QR).

    uv run --no-sync python bench/documents.py [--n 300]

Each PDF is rendered N times after a warm-up (the font is trimmed once per process): an
invoice with 6 lines in two VAT rates, two installments and the QR code, and a two-copy
payment slip with the QR code and the amount in words. Reported: median and p95 per kind;
the BENCH figure is the slower p95. Every QR payload is distinct (no cache hits).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from datetime import UTC, date, datetime

from billing.documents.files import Instructions, slip_pdf
from billing.documents.qr import zbp_payload
from billing.documents.render import render_document
from billing.documents.views import DocumentView, Line, Party

ACCOUNT = "60819110552001900000000001"


def invoice(i: int) -> DocumentView:
    lines = [
        Line(
            "Woda — zużycie przed zmianą taryfy",
            "56.74",
            "m3",
            400,
            22_696,
            "8",
            1_816,
            24_512,
            "01.06–28.07.2025",
        ),
        Line(
            "Woda — zużycie po zmianie taryfy",
            "33.26",
            "m3",
            420,
            13_969,
            "8",
            1_118,
            15_087,
            "29.07–31.08.2025",
        ),
        Line("Ścieki — przed zmianą taryfy", "49.17", "m3", 1_000, 49_170, "8", 3_934, 53_104),
        Line("Ścieki — po zmianie taryfy", "28.83", "m3", 1_050, 30_272, "8", 2_422, 32_694),
        Line("Abonament wodny", "3", "mies.", 507, 1_522, "8", 122, 1_644),
        Line(
            "Opłata za wymianę plomby",
            "1",
            "szt.",
            2_000 + i % 100,
            2_000 + i % 100,
            "23",
            460,
            2_460 + i % 100,
        ),
    ]
    gross = sum(x.gross for x in lines)
    number = f"FV/W/2026/06/{i:06d}"
    return DocumentView(
        kind="invoice",
        label="Faktura VAT",
        number=number,
        title="Woda i ścieki — rozliczenie VI–VIII 2025",
        issued_on=date(2026, 6, 1),
        seller=Party("Gmina Ludwin", "Ludwin 51, 21-075 Ludwin"),
        buyer=Party("Zażółć Gęślą-Jaźń", "Ludwin 12, 21-075 Ludwin"),
        payer_id=f"P-{i:07d}",
        gross=gross,
        account=ACCOUNT,
        bank="BS Cyców oddział Ludwin",
        qr_payload=zbp_payload(
            nip="", account=ACCOUNT, amount_grosze=gross, recipient="Gmina Ludwin", title=number
        ),
        lines=lines,
        installments=[(date(2026, 6, 15), gross // 2 + gross % 2), (date(2026, 7, 15), gross // 2)],
    )


def slip(i: int) -> Instructions:
    amount = 12_345 + i
    title = f"ZAW/O/2026/03/{i:06d}"
    return Instructions(
        "Gmina Ludwin",
        "Ludwin 51, 21-075 Ludwin",
        "",
        ACCOUNT,
        amount,
        title,
        "Zażółć Gęślą-Jaźń",
        "Ludwin 12, 21-075 Ludwin",
        zbp_payload(
            nip="", account=ACCOUNT, amount_grosze=amount, recipient="Gmina Ludwin", title=title
        ),
    )


def measure(fn, n: int) -> tuple[list[float], list[float]]:
    """Wall-clock and process-CPU milliseconds per call."""
    fn(0)
    wall, cpu = [], []
    for i in range(1, n + 1):
        t, c = time.perf_counter(), time.process_time()
        fn(i)
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return wall, cpu


def p95(xs: list[float]) -> float:
    return sorted(xs)[max(0, int(len(xs) * 0.95) - 1)]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=300)
    n = p.parse_args().n
    inv, inv_cpu = measure(lambda i: render_document(invoice(i)), n)
    sl, sl_cpu = measure(lambda i: slip_pdf(slip(i), date(2026, 6, 1)), n)
    size_inv, size_slip = len(render_document(invoice(1))), len(slip_pdf(slip(1), date(2026, 6, 1)))
    print(
        f"machine: {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    print(
        f"N={n} each; invoice PDF {size_inv} B: median {statistics.median(inv):.1f} ms, p95 {p95(inv):.1f} ms"
    )
    print(f"slip PDF {size_slip} B: median {statistics.median(sl):.1f} ms, p95 {p95(sl):.1f} ms")
    print(
        f"process CPU p95: invoice {p95(inv_cpu):.1f} ms, slip {p95(sl_cpu):.1f} ms "
        "(wall time exceeds it when other processes compete for the cores)"
    )
    print(f"BENCH document_pdf_p95_ms {max(p95(inv), p95(sl)):.1f} ms")


if __name__ == "__main__":
    main()
