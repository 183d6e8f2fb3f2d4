"""Use cases about a group and its settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.convert import group_settings, session_view
from db.engine import Database
from db.models import Coach, Group, Member, Membership, Post, Session
from db.sql import insert_ignore
from db.views import GroupSettings, SessionView
from domain import durations, schedule, values
from domain.errors import InputProblem

ANNOUNCE_RANGE = (timedelta(minutes=1), timedelta(days=6))
REMINDER_RANGE = (timedelta(minutes=1), timedelta(days=6))
DURATION_RANGE = (timedelta(minutes=1), timedelta(hours=8))


@dataclass(frozen=True)
class SettingSaved:
    settings: GroupSettings
    key: str
    # Upcoming sessions that now start at another time (their posts need refreshing).
    retimed: tuple[SessionView, ...]
    # Upcoming sessions that keep their time because the new one has already passed.
    kept: tuple[SessionView, ...]


async def load_group(session: AsyncSession, chat_id: int, *, lock: bool = False) -> Group | None:
    statement = select(Group).where(Group.chat_id == chat_id)
    if lock:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


async def ensure_group(
    db: Database, chat_id: int, title: str, default_timezone: str, now: datetime
) -> GroupSettings:
    """The group's settings, creating the group with defaults on first contact."""
    async with db.sessions.begin() as session:
        await insert_ignore(
            session,
            Group,
            {
                "chat_id": chat_id,
                "title": title[:256],
                "timezone": default_timezone,
                "weekday": 1,
                "start_time": "18:30",
                "announce_lead_min": 48 * 60,
                "reminder_lead_min": 3 * 60,
                "duration_min": 90,
                "guests_allowed": False,
                "configured": False,
                "active": True,
                "created_at": now,
            },
        )
        group = await load_group(session, chat_id)
        assert group is not None
        if group.title != title[:256] and title:
            group.title = title[:256]
        return group_settings(group)


async def get_group(db: Database, chat_id: int) -> GroupSettings | None:
    async with db.sessions() as session:
        group = await load_group(session, chat_id)
        return group_settings(group) if group else None


async def set_active(db: Database, chat_id: int, active: bool) -> None:
    """Stop (or resume) posting in a group, e.g. after the bot was removed from it."""
    async with db.sessions.begin() as session:
        await session.execute(update(Group).where(Group.chat_id == chat_id).values(active=active))


def _span(text: str, limits: tuple[timedelta, timedelta], what: str) -> int:
    """A lead or length in whole minutes, within `limits`."""
    span = durations.parse_span(text, minimum=limits[0], maximum=limits[1], what=what)
    return int(span.total_seconds() // 60)


def _span_text(minutes: int) -> str:
    return durations.format_span(timedelta(minutes=minutes))


def parse_setting(key: str, text: str, group: Group) -> dict[str, Any]:
    """The column values that `/set <key> <text>` means, or an InputProblem."""
    key = key.lower().strip()
    if key not in values.SETTING_KEYS:
        raise InputProblem(
            f"I don't know the setting “{key[:30]}”. Try one of: "
            + ", ".join(values.SETTING_KEYS)
            + ". Example: /set day tuesday"
        )
    if key == "day":
        return {"weekday": values.parse_weekday(text), "configured": True}
    if key == "time":
        return {"start_time": values.parse_clock(text).strftime("%H:%M"), "configured": True}
    if key == "tz":
        return {"timezone": values.parse_timezone(text)}
    if key == "place":
        return {"place": values.parse_place(text)}
    if key == "location":
        if text.strip().lower() in {"off", "none", "clear"}:
            return {"latitude": None, "longitude": None}
        lat, lon = values.parse_location(text)
        return {"latitude": lat, "longitude": lon}
    if key == "announce":
        lead = _span(text, ANNOUNCE_RANGE, "Announcement lead")
        if lead <= group.reminder_lead_min:
            raise InputProblem(
                "The announcement has to go out before the reminder (the reminder is "
                f"{_span_text(group.reminder_lead_min)} before the start). "
                "Example: /set announce 48h"
            )
        return {"announce_lead_min": lead}
    if key == "reminder":
        lead = _span(text, REMINDER_RANGE, "Reminder lead")
        if lead >= group.announce_lead_min:
            raise InputProblem(
                "The reminder has to come after the announcement (the announcement is "
                f"{_span_text(group.announce_lead_min)} before the start). "
                "Example: /set reminder 3h"
            )
        return {"reminder_lead_min": lead}
    if key == "duration":
        return {"duration_min": _span(text, DURATION_RANGE, "Session length")}
    if key == "capacity":
        return {"capacity": values.parse_capacity(text)}
    if key == "board":
        at, days = values.parse_board(text)
        return {"board_time": at.strftime("%H:%M"), "board_days_after": days}
    if key == "tolerance":
        return {"tolerance_percent": values.parse_tolerance(text)}
    if key == "spread":
        return {"pace_spread_s": float(values.parse_spread(text))}
    assert key == "guests"
    return {"guests_allowed": values.parse_switch(text)}


async def set_setting(
    db: Database, chat_id: int, key: str, text: str, now: datetime
) -> SettingSaved:
    """Validate and save one setting, then re-time the upcoming sessions it affects."""
    async with db.sessions.begin() as session:
        group = await load_group(session, chat_id, lock=True)
        if group is None:
            raise InputProblem("This group isn't known yet: send /help here first.")
        for column, value in parse_setting(key, text, group).items():
            setattr(group, column, value)
        await session.flush()
        retimed, kept = await _retime_upcoming(session, group, now)
        return SettingSaved(group_settings(group), key.lower().strip(), retimed, kept)


async def _retime_upcoming(
    session: AsyncSession, group: Group, now: datetime
) -> tuple[tuple[SessionView, ...], tuple[SessionView, ...]]:
    """Move unpinned upcoming sessions to the new weekly slot of their own week."""
    upcoming = (
        await session.execute(
            select(Session).where(
                Session.group_id == group.chat_id, Session.starts_at > now, ~Session.pinned
            )
        )
    ).scalars()
    settings = group_settings(group)
    retimed: list[SessionView] = []
    kept: list[SessionView] = []
    for row in upcoming:
        new_start = schedule.slot_start(
            row.week, settings.weekday, settings.start_time, settings.timezone
        )
        if new_start == row.starts_at:
            continue
        if new_start <= now:
            kept.append(session_view(row, group))
            continue
        row.starts_at = new_start
        retimed.append(session_view(row, group))
    return tuple(retimed), tuple(kept)


async def migrate_group(db: Database, old_chat_id: int, new_chat_id: int) -> bool:
    """Carry a group over to its new chat id when Telegram upgrades it to a supergroup.

    Everything (settings, sessions, answers, coaches, claims) moves in one
    transaction; False when there was nothing to move (already migrated).
    """
    async with db.sessions.begin() as session:
        old = await load_group(session, old_chat_id, lock=True)
        if old is None:
            return False
        fresh = await load_group(session, new_chat_id)
        if fresh is not None:
            if fresh.configured:
                return False
            # Someone used the new chat before the migration arrived: drop that blank group.
            await session.delete(fresh)
            await session.flush()
        copied = {
            column.key: getattr(old, column.key)
            for column in Group.__table__.columns
            if column.key != "chat_id"
        }
        session.add(Group(chat_id=new_chat_id, **copied))
        await session.flush()
        for model, column in (
            (Session, Session.group_id),
            (Membership, Membership.group_id),
            (Coach, Coach.group_id),
            (Post, Post.chat_id),
            (Member, Member.home_group_id),
        ):
            await session.execute(
                update(model).where(column == old_chat_id).values({column.key: new_chat_id})
            )
        await session.delete(old)
        return True
