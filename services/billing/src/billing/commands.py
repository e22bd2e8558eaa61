"""Commands of `python -m billing`: import-statement FILE [--format mt940|csv]."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

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
