"""Due dates: a date on a Saturday, Sunday or Polish public holiday moves to the next working day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _polish_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("PL", years=year))


def is_working_day(d: date) -> bool:
    return d.weekday() < 5 and d not in _polish_holidays(d.year)


def next_working_day(d: date) -> date:
    """The date itself when it is a working day, else the next one."""
    while not is_working_day(d):
        d += timedelta(days=1)
    return d


@dataclass(frozen=True)
class Entry:
    """One installment of the schedule: the date set by the council and the months it pays for."""

    number: int
    month: int
    day: int
    months_from: int
    months_to: int


@dataclass(frozen=True)
class YearSchedule:
    """A schedule as data: its entries and the cottage lump-sum date."""

    entries: tuple[Entry, ...]
    cottage_month: int
    cottage_day: int

    def due_date(self, year: int, number: int) -> date:
        if number == 0:
            return next_working_day(date(year, self.cottage_month, self.cottage_day))
        e = next(x for x in self.entries if x.number == number)
        return next_working_day(date(year, e.month, e.day))


DEFAULT = YearSchedule(
    entries=(
        Entry(1, 3, 15, 1, 3),
        Entry(2, 5, 15, 4, 6),
        Entry(3, 9, 15, 7, 9),
        Entry(4, 11, 15, 10, 12),
    ),
    cottage_month=5,
    cottage_day=15,
)


def validate_entries(entries: tuple[Entry, ...], cottage_month: int, cottage_day: int) -> str:
    """An error message (Polish) when the schedule is not usable, else ''."""
    if not entries:
        return "Harmonogram musi mieć co najmniej jedną ratę."
    covered: list[int] = []
    for e in sorted(entries, key=lambda x: x.number):
        try:
            date(2001, e.month, e.day)
        except ValueError:
            return f"Rata {e.number}: nieprawidłowa data {e.day}.{e.month}."
        if not 1 <= e.months_from <= e.months_to <= 12:
            return f"Rata {e.number}: nieprawidłowy zakres miesięcy."
        covered.extend(range(e.months_from, e.months_to + 1))
    if sorted(covered) != list(range(1, 13)):
        return "Raty muszą obejmować każdy miesiąc roku dokładnie raz."
    if [e.number for e in sorted(entries, key=lambda x: x.number)] != list(
        range(1, len(entries) + 1)
    ):
        return "Raty muszą być numerowane kolejno od 1."
    try:
        date(2001, cottage_month, cottage_day)
    except ValueError:
        return "Nieprawidłowy termin ryczałtu za domek letniskowy."
    return ""
