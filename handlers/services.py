"""What every handler and job needs, built once at start-up and kept in bot_data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from config.settings import Settings
from db.engine import Database

if TYPE_CHECKING:
    from db.rsvp_taps import TapWriter
    from jobs.refresh import AnnouncementRefresher


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Callable[[], datetime] = utc_now
    refresher: AnnouncementRefresher | None = field(default=None)
    # In / Maybe / Out taps, committed in batches (db.rsvp_taps).
    taps: TapWriter | None = field(default=None)

    def now(self) -> datetime:
        return self.clock()
