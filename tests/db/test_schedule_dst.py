"""Weekly sessions in three time zones across both daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from db import groups, sessions
from db.engine import Database

ZONES = ["America/New_York", "Europe/London", "Australia/Sydney"]


@pytest.mark.parametrize("tz", ZONES)
async def test_every_week_keeps_its_local_times_through_a_year(db: Database, tz: str) -> None:
    chat = -7000
    now = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    await groups.ensure_group(db, chat, "Harriers", tz, now)
    for key, value in (("day", "sun"), ("time", "09:15"), ("reminder", "2h"), ("announce", "3d")):
        await groups.set_setting(db, chat, key, value, now)
    zone = ZoneInfo(tz)
    seen = 0
    while now < datetime(2027, 1, 5, tzinfo=UTC):
        session = await sessions.next_session(db, chat, now)
        start = session.starts_at.astimezone(zone)
        assert (start.weekday(), start.time()) == (6, time(9, 15)), start
        announce = session.announce_at.astimezone(zone)
        assert announce.time() == time(9, 15) and (start.date() - announce.date()).days == 3
        assert session.reminder_at.astimezone(zone).time() == time(7, 15)
        assert session.starts_at - now <= timedelta(days=7, hours=1)  # a week with a clock change
        now = session.starts_at + timedelta(seconds=1)
        seen += 1
    assert seen in (52, 53)
