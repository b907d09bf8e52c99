"""Today's date in the committee's time zone: due dates are local calendar days, not UTC ones."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from app.settings import get_settings


def today() -> date:
    return datetime.now(ZoneInfo(get_settings().timezone)).date()
