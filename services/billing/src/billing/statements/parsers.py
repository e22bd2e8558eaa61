"""Bank statement files → credit lines: MT940 (the mt-940 package) and CSV.

A line that cannot be read is reported with its number and the rest is imported.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from billing.payers.accounts import check_digits

POLISH = "ąćęłńóśźżĄĆĘŁŃÓŚŹŻ"
ACCOUNT_RE = re.compile(r"(?<!\d)\d{26}(?!\d)")


@dataclass(frozen=True)
class ParsedLine:
    line_no: int
    booked_on: date
    amount: int  # grosze, > 0 for credits
    title: str = ""
    counterparty_name: str = ""
    counterparty_account: str = ""
    candidates: tuple[str, ...] = ()  # 26-digit accounts that may be the credited virtual one
    reference: str = ""


@dataclass
class Parsed:
    format: str
    lines: list[ParsedLine] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    skipped_debits: int = 0


def decode(content: bytes) -> str:
    """UTF-8, else the Polish code page (CP1250 or CP852) that yields more Polish letters."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    options = [content.decode(cp, errors="replace") for cp in ("cp1250", "cp852")]
    return max(options, key=lambda t: sum(t.count(ch) for ch in POLISH))


def parse_amount(text: str) -> int:
    """`1 234,56` / `1234.56` → grosze; more than two decimals is refused."""
    t = text.strip().replace("\u00a0", "").replace(" ", "")
    if "," in t and "." in t:
        t = t.replace(".", "")
    t = t.replace(",", ".")
    try:
        value = Decimal(t)
    except InvalidOperation:
        raise ValueError(f"nieprawidłowa kwota {text!r}") from None
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueError(f"kwota {text!r} ma więcej niż dwa miejsca po przecinku")
    return int(value * 100)


def parse_date(text: str) -> date:
    t = text.strip()
    if len(t) == 10 and t[4] == "-":
        try:
            return date.fromisoformat(t)
        except ValueError:
            pass
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y", "%Y%m%d"):
        try:
            return datetime.strptime(t, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"nieprawidłowa data {text!r}")


def detect(filename: str, text: str) -> str:
    if (
        text.lstrip().startswith(":20:")
        or "\n:61:" in text
        or filename.lower().endswith((".sta", ".mt940"))
    ):
        return "mt940"
    return "csv"


def parse(filename: str, content: bytes, fmt: str = "") -> Parsed:
    text = decode(content)
    fmt = fmt or detect(filename, text)
    return parse_mt940(text) if fmt == "mt940" else parse_csv(text)


# --- MT940 ---

SUBFIELD = re.compile(r"[?~^](\d{2})")


def details(text: str) -> dict[str, str]:
    """The `:86:` sub-fields (`?20`, `~20`, `^20`: the separator differs between banks)."""
    flat = text.replace("\n", "").replace("\r", "")
    parts = SUBFIELD.split(flat)
    out: dict[str, str] = {}
    for code, value in zip(parts[1::2], parts[2::2], strict=False):
        out[code] = out.get(code, "") + value
    return out


def _mt940_line(no: int, data: dict[str, object]) -> ParsedLine | None:
    amount = data["amount"].amount  # type: ignore[attr-defined]
    if amount <= 0:
        return None
    raw = str(data.get("transaction_details") or "")
    sub = details(raw)
    title = "".join(sub.get(f"{i}", "") for i in range(20, 30)) or raw
    name = (sub.get("32", "") + sub.get("33", "")).strip()
    counter = re.sub(r"\D", "", sub.get("38", ""))[-26:]
    digits = re.sub(r"\s", "", raw + " " + str(data.get("extra_details") or ""))
    joined = re.sub(r"\D", "", sub.get("30", "")) + re.sub(r"\D", "", sub.get("31", ""))
    if len(joined) == 24:  # sort code + account number without the check digits
        joined = check_digits(joined) + joined
    candidates = tuple(
        dict.fromkeys([*ACCOUNT_RE.findall(re.sub(r"[?~^]\d{2}", " ", digits)), joined])
    )
    d: Any = data["date"]
    return ParsedLine(
        no,
        date(d.year, d.month, d.day),
        int(Decimal(amount) * 100),
        " ".join(title.split()),
        " ".join(name.split()),
        counter,
        tuple(c for c in candidates if len(c) == 26),
        str(data.get("bank_reference") or data.get("customer_reference") or ""),
    )


def parse_mt940(text: str) -> Parsed:
    result = Parsed("mt940")
    try:
        whole: list[dict[str, object]] | None = _parse_block(text)
    except Exception:
        whole = None
    if whole is not None:
        for no, data in enumerate(whole, start=1):
            _add(result, no, data)
        return result
    header, transactions = _split(text)
    for no, chunk in enumerate(transactions, start=1):
        try:
            parsed = _parse_block(header + chunk + "\n-")
        except Exception as exc:
            result.problems.append(
                (no, f"nieczytelna transakcja: {str(exc).splitlines()[0][:150]}")
            )
            continue
        for data in parsed:
            _add(result, no, data)
    return result


def _add(result: Parsed, no: int, data: dict[str, object]) -> None:
    try:
        line = _mt940_line(no, data)
    except Exception as exc:
        result.problems.append((no, f"nieczytelna transakcja: {exc}"))
        return
    if line is None:
        result.skipped_debits += 1
    else:
        result.lines.append(line)


def _parse_block(text: str) -> list[dict[str, object]]:
    import mt940  # loaded on first use: keeps the idle service small

    t = mt940.models.Transactions(processors={"post_transaction_details": []})
    t.parse(text)
    return [tr.data for tr in t]


def _split(text: str) -> tuple[str, list[str]]:
    """Header (up to the first :61:) and one chunk per :61: with its :86:."""
    lines = text.replace("\r\n", "\n").split("\n")
    header: list[str] = []
    chunks: list[list[str]] = []
    for ln in lines:
        if ln.startswith(":61:"):
            chunks.append([ln])
        elif ln.startswith((":62", ":64", ":65", "-")) and chunks:
            chunks.append([])  # closes the last transaction
        elif chunks and chunks[-1]:
            chunks[-1].append(ln)
        elif not chunks:
            header.append(ln)
    return "\n".join(header) + "\n", ["\n".join(c) for c in chunks if c]


# --- CSV ---

COLUMNS = {
    "date": ("data", "data_ksiegowania", "data księgowania", "date"),
    "amount": ("kwota", "amount"),
    "credited_account": (
        "rachunek_wirtualny",
        "rachunek wirtualny",
        "rachunek_uznany",
        "credited_account",
    ),
    "counterparty_account": ("rachunek_nadawcy", "rachunek nadawcy", "counterparty_account"),
    "counterparty_name": ("nadawca", "nazwa_nadawcy", "counterparty_name"),
    "title": ("tytul", "tytuł", "title"),
    "reference": ("id", "referencja", "reference"),
}


def _getter(row: list[str], index: dict[str, int]):  # type: ignore[no-untyped-def]
    def get(key: str) -> str:
        i = index[key]
        return row[i].strip() if 0 <= i < len(row) else ""

    return get


def parse_csv(text: str) -> Parsed:
    """Columns by header name (Polish or English); `;` or `,` separated."""
    result = Parsed("csv")
    sample = text[:4096]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        result.problems.append((1, "pusty plik"))
        return result
    index = {
        key: next((header.index(a) for a in aliases if a in header), -1)
        for key, aliases in COLUMNS.items()
    }
    if index["date"] < 0 or index["amount"] < 0:
        result.problems.append((1, "brak kolumn „data” i „kwota” w nagłówku"))
        return result
    for row in reader:
        no = reader.line_num
        if not any(c.strip() for c in row):
            continue
        try:
            get = _getter(row, index)
            if len(row) < len(header):
                raise ValueError(f"za mało kolumn ({len(row)} zamiast {len(header)})")
            amount = parse_amount(get("amount"))
            booked_on = parse_date(get("date"))
        except ValueError as exc:
            result.problems.append((no, str(exc)))
            continue
        if amount <= 0:
            result.skipped_debits += 1
            continue
        credited = re.sub(r"\D", "", get("credited_account"))[-26:]
        result.lines.append(
            ParsedLine(
                no,
                booked_on,
                amount,
                get("title"),
                get("counterparty_name"),
                re.sub(r"\D", "", get("counterparty_account"))[-26:],
                (credited,) if len(credited) == 26 else (),
                get("reference"),
            )
        )
    return result
