"""Commands of `python -m billing`: import-statement, ksef-build, ksef-send."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from billing.ksef import sender
from billing.rpc.support import Support
from billing.statements import service as statements
from portal_platform.errors import DomainError


async def import_statement_command(s: Support, args: list[str]) -> int:
    """Import a bank statement file; print the summary and each line that could not be read."""
    parser = argparse.ArgumentParser(prog="python -m billing import-statement")
    parser.add_argument("file", type=Path)
    parser.add_argument("--format", choices=("mt940", "csv"), default="")
    ns = parser.parse_args(args)
    try:
        content = ns.file.read_bytes()
    except OSError as exc:
        sys.stderr.write(f"nie można odczytać pliku {ns.file}: {exc.strerror}\n")
        return 2
    try:
        async with s.db.transaction() as session:
            r = await statements.import_statement(
                session,
                s.ctx,
                s.outbox,
                filename=ns.file.name,
                content=content,
                fmt=ns.format,
                user="cli",
            )
    except DomainError as exc:
        sys.stderr.write(f"błąd: {exc.message}\n")
        return 1
    out = sys.stdout
    out.write(
        f"wyciąg {ns.file.name}: operacji {r.total}, nowych {r.new}, powtórzonych {r.duplicate}, "
        f"dopasowanych {r.matched}, do wyjaśnienia {r.unmatched}, błędnych wierszy {len(r.problems)}\n"
    )
    for line_no, message in r.problems:
        out.write(f"wiersz {line_no}: {message}\n")
    return 0 if not r.problems else 3


async def ksef_build_command(s: Support, args: list[str]) -> int:
    """Build and keep the FA(3) XML of every invoice to a payer with a NIP that has none yet."""
    argparse.ArgumentParser(prog="python -m billing ksef-build").parse_args(args)
    summary = sender.Summary()
    await sender.build_pending(s.db, s.ctx, summary, batch=s.settings.ksef_batch)
    sys.stdout.write(summary.line() + "\n")
    return 0


async def ksef_send_command(s: Support, args: list[str]) -> int:
    """Send the kept FA(3) XMLs to KSeF and record each KSeF number or refusal (exit 1: errors)."""
    argparse.ArgumentParser(prog="python -m billing ksef-send").parse_args(args)
    st = s.settings
    if not st.ksef_url:
        sys.stderr.write("KSeF wyłączony: ustaw BILLING_KSEF_ENV (test | demo | prod).\n")
        return 2
    if st.ksef_since_date is None:
        sys.stderr.write(sender.SINCE_MISSING + "\n")
        return 2
    conn = sender.Connection(
        url=st.ksef_url,
        token=st.ksef_token,
        nip=s.ctx.gmina.nip,
        poll_seconds=st.ksef_poll_seconds,
    )
    summary = await sender.send(s.db, s.ctx, conn, batch=st.ksef_batch)
    sys.stdout.write(summary.line() + "\n")
    for error in summary.errors:
        sys.stdout.write(f"błąd: {error}\n")
    return 1 if summary.errors else 0
