"""Rules of readings (pure): whole m³, not lower than before, dates, consumption, leak warning."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from portal_platform.errors import InvalidArgument
from water.policy import Policy

MAIN, GARDEN, SEWAGE_METER = "main", "garden", "sewage"
KINDS = (MAIN, GARDEN, SEWAGE_METER)
KIND_LABELS = {
    MAIN: "wodomierz główny",
    GARDEN: "podlicznik ogrodowy",
    SEWAGE_METER: "wodomierz ścieków",
}
SOURCES = ("customer", "clerk", "estimated", "replacement")
SOURCE_LABELS = {
    "customer": "podany przez odbiorcę",
    "clerk": "wprowadzony przez urząd",
    "estimated": "szacunkowy",
    "replacement": "wymiana wodomierza",
}
STATUS_LABELS = {
    "pending": "czeka na weryfikację",
    "accepted": "przyjęty",
    "corrected": "poprawiony przez urząd",
    "rejected": "odrzucony",
    "superseded": "zastąpiony nowszym odczytem",
}
ACTUAL_SOURCES = ("customer", "clerk")
_WHOLE = re.compile(r"^\d+$")
_DECIMAL = re.compile(r"^-?\d+[.,]\d*$")


@dataclass(frozen=True)
class MeterInfo:
    """What the rules need to know about one installation."""

    id: str
    kind: str
    serial: str
    installed_on: date
    initial_m3: int
    removed_on: date | None = None
    final_m3: int | None = None
    digits: int = 5

    def active_on(self, day: date) -> bool:
        return self.installed_on <= day and (self.removed_on is None or self.removed_on > day)

    @property
    def label(self) -> str:
        return f"{KIND_LABELS.get(self.kind, self.kind)} nr {self.serial}"


@dataclass(frozen=True)
class Warning:
    code: str
    message: str
    field: str = ""


def value_field(meter_id: str) -> str:
    """Name of the form field (and error field) of one meter's value."""
    return f"value_{meter_id}"


def parse_m3(raw: str, *, field: str, label: str = "stan licznika", digits: int = 9) -> int:
    """Whole m³ as typed by a person: digits only; clear Polish errors otherwise."""
    text = (raw or "").strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        raise InvalidArgument(f"Podaj {label} w pełnych m³.", field=field)
    if text.startswith("-") and (_WHOLE.match(text[1:]) or _DECIMAL.match(text)):
        raise InvalidArgument(f"{label.capitalize()} nie może być ujemny.", field=field)
    if _DECIMAL.match(text):
        raise InvalidArgument(
            f"Podaj {label} w pełnych m³ — tylko czarne cyfry, bez części po przecinku.",
            field=field,
        )
    if not _WHOLE.match(text):
        raise InvalidArgument(
            f"{label.capitalize()} musi być liczbą całkowitą (same cyfry), np. 1234.", field=field
        )
    value = int(text)
    if value >= 10**digits:
        raise InvalidArgument(
            f"{label.capitalize()} ma więcej cyfr niż licznik ({digits}).", field=field
        )
    return value


def check_date(reading_date: date, *, today: date, last_date: date | None) -> None:
    """A reading is not from the future and comes after the last settled one."""
    if reading_date > today:
        raise InvalidArgument(
            "Data odczytu nie może być z przyszłości.",
            field="reading_date",
            code="reading.future_date",
        )
    if last_date is not None and reading_date <= last_date:
        raise InvalidArgument(
            f"Data odczytu musi być późniejsza niż data ostatniego rozliczonego odczytu "
            f"({last_date:%d.%m.%Y}).",
            field="reading_date",
            code="reading.not_after_previous",
        )


def check_meters(
    reading_date: date, meters: Iterable[MeterInfo], given: Iterable[str]
) -> list[MeterInfo]:
    """The installations to read on the date; before installation or a removed meter refused."""
    meters = list(meters)
    by_id = {m.id: m for m in meters}
    for meter_id in given:
        m = by_id[meter_id]
        if m.installed_on > reading_date:
            raise InvalidArgument(
                f"Data odczytu ({reading_date:%d.%m.%Y}) jest wcześniejsza niż montaż "
                f"({m.label}, {m.installed_on:%d.%m.%Y}).",
                field="reading_date",
                code="reading.before_installation",
            )
        if not m.active_on(reading_date):
            raise InvalidArgument(
                f"Wodomierz {m.serial} został zdemontowany {m.removed_on:%d.%m.%Y}.",
                field=value_field(m.id),
                code="reading.meter_removed",
            )
    active = [m for m in meters if m.active_on(reading_date)]
    if not active:
        first = min((m.installed_on for m in meters), default=None)
        text = (
            f"Data odczytu jest wcześniejsza niż montaż wodomierza ({first:%d.%m.%Y})."
            if first and first > reading_date
            else "W tym punkcie nie ma zamontowanego wodomierza."
        )
        raise InvalidArgument(text, field="reading_date", code="reading.before_installation")
    return active


def check_not_lower(meter: MeterInfo, value: int, previous: int, *, rollover: bool) -> None:
    """R11: a counter never goes back, except an explicit roll-over (or a replacement)."""
    if rollover:
        if value >= previous:
            raise InvalidArgument(
                "Przekręcenie licznika zaznacza się tylko, gdy stan jest niższy od poprzedniego.",
                field=value_field(meter.id),
            )
        return
    if value < previous:
        raise InvalidArgument(
            f"Podany stan ({value} m³) jest niższy niż poprzedni odczyt tego wodomierza "
            f"({previous} m³). Sprawdź czarne cyfry licznika nr {meter.serial}.",
            field=value_field(meter.id),
            code="reading.lower_than_previous",
        )


def installation_consumption(
    meter: MeterInfo, start_value: int, end_value: int, *, rollover: bool = False
) -> int:
    """m³ used on one installation between two counter values."""
    return end_value - start_value + (10**meter.digits if rollover else 0)


def consumption_by_kind(
    meters: Iterable[MeterInfo],
    start_date: date,
    end_date: date,
    start_values: Mapping[str, int],
    end_values: Mapping[str, int],
    rollovers: Iterable[str] = (),
) -> dict[str, int]:
    """m³ per meter kind in (start_date, end_date], replacements included.

    Replacement: (old final − previous reading) + (new current − new initial); every
    installation is its own record with install and removal dates.
    """
    rolled = set(rollovers)
    used: dict[str, int] = {}
    for m in meters:
        if m.installed_on > end_date or (m.removed_on is not None and m.removed_on <= start_date):
            continue
        begin = (
            start_values.get(m.id, m.initial_m3) if m.installed_on <= start_date else (m.initial_m3)
        )
        if m.removed_on is not None and m.removed_on <= end_date:
            finish = m.final_m3 if m.final_m3 is not None else begin
        else:
            finish = end_values[m.id]
        used[m.kind] = used.get(m.kind, 0) + installation_consumption(
            m, begin, finish, rollover=m.id in rolled
        )
    return used


def high_consumption(
    kind: str,
    used: int,
    days: int,
    *,
    average_daily: Decimal | None,
    policy: Policy,
) -> Warning | None:
    """A possible leak or typo: far above the daily limit or far above this payer's average."""
    if used <= policy.high_min_m3 or days <= 0:
        return None
    per_day = Decimal(used) / days
    above_limit = per_day > policy.high_daily_m3
    above_usual = (
        average_daily is not None
        and average_daily > 0
        and per_day > average_daily * policy.high_factor
    )
    if not (above_limit or above_usual):
        return None
    usual = (
        f" Zwykle zużywasz ok. {average_daily.quantize(Decimal('0.01'))} m³ dziennie."
        if average_daily
        else ""
    )
    return Warning(
        code="reading.high_consumption",
        message=(
            f"Zużycie {used} m³ w {days} dni ({per_day.quantize(Decimal('0.01'))} m³ dziennie, "
            f"{KIND_LABELS.get(kind, kind)}) jest wyjątkowo wysokie.{usual} Sprawdź, czy stan "
            "licznika jest wpisany poprawnie — to może być pomyłka albo wyciek."
        ),
        field="values",
    )
