"""ORM rows to the plain views handed out by the use cases."""

from __future__ import annotations

from datetime import time, timedelta

from db.models import Group, Member, Session
from db.views import GroupSettings, Person, SessionView
from domain import schedule


def _clock(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    return time(hours, minutes)


def group_settings(group: Group) -> GroupSettings:
    return GroupSettings(
        chat_id=group.chat_id,
        title=group.title,
        weekday=group.weekday,
        start_time=_clock(group.start_time),
        timezone=group.timezone,
        place=group.place,
        latitude=group.latitude,
        longitude=group.longitude,
        announce_lead=timedelta(minutes=group.announce_lead_min),
        reminder_lead=timedelta(minutes=group.reminder_lead_min),
        duration=timedelta(minutes=group.duration_min),
        capacity=group.capacity,
        guests_allowed=group.guests_allowed,
        configured=group.configured,
        active=group.active,
        tolerance_percent=group.tolerance_percent,
        pace_spread_s=group.pace_spread_s,
        board_time=_clock(group.board_time),
        board_days_after=group.board_days_after,
    )


def session_view(session: Session, group: Group) -> SessionView:
    return SessionView(
        id=session.id,
        group_id=session.group_id,
        week=session.week,
        starts_at=session.starts_at,
        duration=timedelta(minutes=group.duration_min),
        pinned=session.pinned,
        workout_text=session.workout_text,
        workout=session.workout,
        cancelled_at=session.cancelled_at,
        cancel_reason=session.cancel_reason,
        announce_at=schedule.wall_clock_before(
            session.starts_at, timedelta(minutes=group.announce_lead_min), group.timezone
        ),
        reminder_at=schedule.wall_clock_before(
            session.starts_at, timedelta(minutes=group.reminder_lead_min), group.timezone
        ),
    )


def person(member: Member) -> Person:
    return Person(
        user_id=member.user_id,
        first_name=member.first_name,
        last_name=member.last_name,
        username=member.username,
        can_dm=member.can_dm,
        private=member.private,
    )
