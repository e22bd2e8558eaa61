"""Today's date in the gmina's time zone (due dates and months are Warsaw calendar dates)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

WARSAW = ZoneInfo("Europe/Warsaw")


def today() -> date:
    return datetime.now(WARSAW).date()
