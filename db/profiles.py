"""A member's profile for age grading: birth year and sex (/profile).

Kept on the member (``members.birth_year``, ``members.sex``) and private: the handlers show
it only to the member (and age grades only in a private chat).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import select, update

from db.engine import Database
from db.members import remember
from db.models import Member
from db.views import Person
from domain.age_grade import MAX_AGE, MIN_AGE, Sex
from domain.errors import InputProblem


@dataclass(frozen=True)
class Profile:
    birth_year: int
    sex: Sex

    def age_in(self, year: int) -> int:
        """The age turned in ``year`` (what WMA grading uses when only the year is known)."""
        return year - self.birth_year


@dataclass(frozen=True)
class ProfileStatus:
    profile: Profile | None
    viewer_can_dm: bool


def check_birth_year(birth_year: int, this_year: int) -> None:
    """Age grading covers ages MIN_AGE to MAX_AGE: refuse years outside that."""
    if not MIN_AGE <= this_year - birth_year <= MAX_AGE:
        raise InputProblem(
            f"Age grading covers ages {MIN_AGE} to {MAX_AGE}: please give a birth year from "
            f"{this_year - MAX_AGE} to {this_year - MIN_AGE}, e.g. /profile born 1985 F"
        )


async def get_profile(db: Database, user_id: int) -> ProfileStatus:
    async with db.sessions() as session:
        row = (
            await session.execute(
                select(Member.birth_year, Member.sex, Member.can_dm).where(
                    Member.user_id == user_id
                )
            )
        ).one_or_none()
    if row is None:
        return ProfileStatus(None, False)
    profile = None
    if row.birth_year is not None and row.sex in ("F", "M"):
        profile = Profile(row.birth_year, cast(Sex, row.sex))
    return ProfileStatus(profile, bool(row.can_dm))


async def set_profile(
    db: Database, user: Person, birth_year: int, sex: Sex, now: datetime
) -> ProfileStatus:
    check_birth_year(birth_year, now.year)
    async with db.sessions.begin() as session:
        await remember(session, user, None, now)
        await session.execute(
            update(Member)
            .where(Member.user_id == user.user_id)
            .values(birth_year=birth_year, sex=sex)
        )
        can_dm = await session.scalar(select(Member.can_dm).where(Member.user_id == user.user_id))
        return ProfileStatus(Profile(birth_year, sex), bool(can_dm))


async def clear_profile(db: Database, user_id: int) -> bool:
    """Forget the member's birth year and sex; False when there was nothing to forget."""
    async with db.sessions.begin() as session:
        result = await session.execute(
            update(Member)
            .where(Member.user_id == user_id, Member.birth_year.is_not(None))
            .values(birth_year=None, sex=None)
        )
        return bool(getattr(result, "rowcount", 0))
