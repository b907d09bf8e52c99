"""The committee's calendar day, and the fixture that stops it for tests that must not cross midnight."""

import time
from datetime import datetime
from zoneinfo import ZoneInfo

from app.core import clock
from app.core.clock import today
from app.settings import get_settings


def test_today_is_the_date_in_the_committees_time_zone() -> None:
    before = datetime.now(ZoneInfo(get_settings().timezone)).date()
    assert today() in {before, datetime.now(ZoneInfo(get_settings().timezone)).date()}


def test_the_stopped_clock_gives_one_day_and_one_moment(frozen_today) -> None:  # type: ignore[no-untyped-def]
    first = clock.datetime.now(ZoneInfo("UTC"))
    time.sleep(0.01)
    assert clock.datetime.now(ZoneInfo("UTC")) == first  # time does not move: midnight cannot pass
    assert today() == frozen_today
    assert first.astimezone(ZoneInfo(get_settings().timezone)).date() == frozen_today
