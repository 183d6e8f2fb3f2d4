"""Hostile input at scale: 10,000 generated updates per run, and not one breaks anything.

The budget: `COMMAND_EXAMPLES` (6,000) hypothesis examples of typed messages plus
`BUTTON_EXAMPLES` (4,000) of button presses, each example exactly one update fed to the
real Application, so 10,000 updates per run. No saved failures are replayed and nothing
but generation runs unless an example fails (`database=None`; shrinking only then), so
the count is exact, and the `budget` fixture checks after each test that all were sent.

Messages: every registered command (also in odd case and addressed to this bot or
another) and unknown ones, with arguments that are empty, huge (around and past
Telegram's 4,096 characters), RTL / zero-width / combining / emoji text, control
characters, SQL / HTML / Markdown injections and format strings, free text, and words the
parsers know in odd orders. Buttons: forged `rsvp:<id>:<action>` for this club's live
session, a past one, a cancelled one, a deleted one, another club's, ids that never
existed, huge and negative ones; forged `setup:` and `report:` payloads; anything else,
past 64 bytes too. Senders: the coach, a member, a coach of another club, someone not in
the group (their update arrives after they left), in the group and in private chats.

After each update (`support.Watch`): nothing logged at ERROR (the error handler logs every
failure), no apology, no Bot API call Telegram refused, and unless the reply says what was
saved, every row of every table is exactly as before.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, text

from db import sessions
from db.models import Session
from handlers.setup import STEPS
from tests.handlers.conftest import ADMIN, ANN, CAT, DAN, GROUP, Harness
from tests.handlers.support import (
    COMMANDS,
    EVE,
    GROUP2,
    HOSTILE_ARGUMENTS,
    SUCCESS_MARKERS,
    Dump,
    Watch,
    announcement_id,
    prepare,
)

# COMMANDS is checked against the registered handlers by test_hostile_input.
COMMAND_EXAMPLES = 6_000
BUTTON_EXAMPLES = 4_000
GROUP3 = -100888  # its session is cancelled

# Replies that say something was saved, beyond the ones the hostile-input suite knows.
SAVED = (
    *SUCCESS_MARKERS,
    "I run your club's weekly speed session",  # /start: the bot may now write to them
    "Send me your splits for the latest session",
    "Private mode is on:",
    "Private mode is off:",
    "🏁 Race saved",
    "↩️ Removed",
    "Benchmark saved",
    "Benchmark removed",
    "Profile saved",
    "Profile removed",
    "✅ Saved",
    "✅ Updated",
    "🗑 Removed the report",
    "as a no-show",
    "✅ Got it: the details went to you privately.",
    "Private mode is on, so I don't show times here",
)


def saved(reply: str) -> bool:
    return any(marker in reply for marker in SAVED)


# (user, chat): the coach, a member, the other club's admin, and Eve, who is not in the
# group (her updates arrive after she left); each in the group and in a private chat.
SENDERS = (
    (ADMIN, GROUP),
    (ANN, GROUP),
    (DAN, GROUP),
    (EVE, GROUP),
    (ADMIN, ADMIN),
    (ANN, ANN),
    (DAN, DAN),
    (EVE, EVE),
)

ODD_TEXT = (
    "\u202e\u202b\u200f\u061c",  # RTL overrides and marks
    "\u200b\u200c\u200d\u2060\ufeff",  # zero-width
    "\u0301\u0308\u0334\u20dd",  # combining
    "🏃🏽‍♀️👨‍👩‍👧‍👦🇬🇧🏳️‍🌈",  # emoji sequences
    "\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85",  # control characters
    "مرحبا שלום 你好 Ω≈ç√",
)
INJECTIONS = (
    "'; DROP TABLE members; --",
    "1 OR 1=1",
    '" OR ""="',
    "<script>alert(1)</script>",
    "<b><i>unclosed",
    "</code></pre>",
    '<a href="tg://user?id=1">x</a>',
    "&amp; &lt; &#0; &#x110000;",
    "*bold* _it_ `code` [link](http://x) ~strike~ ||spoiler||",
    "\\*\\_\\`",
    "%s %d %n %(name)s",
    "{0} {} {x} {__class__}",
    "${jndi:ldap://x}",
    "../../etc/passwd",
)
WORDS = (
    *(step.key for step in STEPS),
    "place",
    "location",
    "tz",
    "board",
    "tolerance",
    "spread",
    "add",
    "remove",
    "on",
    "off",
    "me",
    "undo",
    "noshow",
    "clear",
    "born",
    "show",
    "@Bob",
    "@ann",
    "today",
    "tomorrow",
    "thu",
    "tue",
    "2026-12-08",
    "2026-11-24",
    "18:30",
    "25:00",
    "5k",
    "half",
    "800",
    "2:45",
    "x",
    "-",
    "#",
    "total",
    "1985",
    "F",
    "g100500",
    "report_100500",
    "2",
    "-1",
    "0",
    "99999999999999999999",
    "1e309",
    "nan",
)

names = st.one_of(
    st.sampled_from(COMMANDS),
    st.sampled_from(COMMANDS).map(str.upper),
    st.from_regex(r"[A-Za-z0-9_]{1,32}", fullmatch=True).filter(
        lambda c: c.lower() not in COMMANDS
    ),
)
addressees = st.sampled_from(("", "", "", "@SpeedSessionBot", "@speedsessionbot", "@OtherBot"))
arguments = st.one_of(
    st.sampled_from(HOSTILE_ARGUMENTS),
    st.text(max_size=120),
    st.text(alphabet="".join(ODD_TEXT), max_size=40),
    st.sampled_from(INJECTIONS),
    st.builds(  # around Telegram's 4,096-character limit
        lambda piece, length: (piece * length)[:length],
        st.sampled_from(("x", "é", "🏃", "<b>", "2:45 ", "\u200b")),
        st.integers(4_090, 4_200),
    ),
    st.lists(
        st.one_of(st.sampled_from(WORDS), st.sampled_from(INJECTIONS), st.text(max_size=8)),
        max_size=8,
    ).map(" ".join),
)


def message_text(name: str, addressee: str, argument: str) -> str:
    return f"/{name}{addressee} {argument}" if argument else f"/{name}{addressee}"


def handled(name: str, addressee: str) -> bool:
    """Whether a handler takes it: a registered command for this bot (any case)."""
    return name.lower() in COMMANDS and addressee.lower() in ("", "@speedsessionbot")


# --- buttons ----------------------------------------------------------------------------------

SESSION_IDS = ("{live}", "{past}", "{cancelled}", "{deleted}", "{other}", "{gone}")
ACTIONS = ("in", "maybe", "out", "guest+", "guest-")
SETUP = [f"setup:{i}:{v}" for i, step in enumerate(STEPS) for _, v in (*step.choices, ("", "skip"))]
session_ids = st.one_of(
    st.sampled_from(SESSION_IDS),
    st.integers(-(10**20), 10**20).map(str),
    st.sampled_from(("", "²", "\u0661", "0x1", " 1", "1.0", "+1", "01", "9" * 13, "-0")),
)
odd_actions = st.sampled_from((*ACTIONS, "IN", "in ", "yes", "", "guest+1", "in:in"))
well_formed = st.one_of(  # what a real button sends, aimed at the wrong session or group
    st.builds(lambda i, a: f"rsvp:{i}:{a}", st.sampled_from(SESSION_IDS), st.sampled_from(ACTIONS)),
    st.sampled_from(SETUP),
    st.builds(lambda a: f"report:{a}:{{stale}}", st.sampled_from(("save", "cancel"))),
)
button_data = st.one_of(
    well_formed,
    well_formed,
    well_formed,
    st.builds(lambda i, a: f"rsvp:{i}:{a}", session_ids, odd_actions),
    st.builds(
        lambda n, v: f"setup:{n}:{v}",
        st.one_of(st.integers(-2, 12).map(str), st.sampled_from(("²", "", "1" * 30))),
        st.one_of(st.sampled_from(SETUP).map(lambda d: d.rsplit(":", 1)[1]), st.text(max_size=12)),
    ),
    st.builds(
        lambda a, t: f"report:{a}:{t}",
        st.sampled_from(("save", "cancel", "SAVE", "", "x", "save:save")),
        st.one_of(st.sampled_from(("", "null", "None")), st.text(max_size=16)),
    ),
    st.sampled_from(("rsvp", "rsvp:", "setup", "report", ":", "::", "rsvp::", "setup::")),
    st.text(min_size=1, max_size=64),
    st.text(min_size=65, max_size=300),  # more than Telegram allows: forged
)

# (target, user): which real message is tapped, by whom. Ann is a member, Dan coaches the
# other club, Eve is not in the group; a private chat's buttons only its owner can tap.
TARGETS = (
    *((target, user) for target in ("live", "past", "question") for user in (ANN, DAN, EVE)),
    ("other", ANN),
    ("other", EVE),
    ("private", ANN),
)


# --- the world --------------------------------------------------------------------------------


@dataclass
class FuzzWatch(Watch):
    """The watch, and the token of Ann's first question (replaced by her second)."""

    stale: str = ""


async def build(w: FuzzWatch) -> None:
    """The hostile-input world, a day later: one session is past, the next is announced,
    another club's is cancelled, one session was deleted, Ann has questions pending."""
    h = w.h
    await prepare(w)
    h.api.add_group(GROUP3, "Cancelled Club", admins=[CAT], members=[ANN, DAN, EVE])
    for command in ("/set day fri", "/announce", "/cancel closed"):
        await w.say(CAT, command, GROUP3)
    await w.say(ADMIN, "/workout 2026-12-15 4x1km @T")  # this one is deleted below
    past = w.ids["this"]
    past_message = w.ids["announcement"]
    h.clock.now += timedelta(days=6, hours=9)  # Tue 1 Dec 21:00: the session has ended
    for user, chat, command in (
        (ADMIN, GROUP, "/announce"),
        (DAN, GROUP2, "/announce"),
        (ANN, GROUP, "/in"),
        (ANN, GROUP, "/report 2:45 2:44"),  # two splits for six reps: a question
        (ANN, ANN, "/report 2:45 2:44 2:43"),  # asked again privately (the first expires)
        (ADMIN, ADMIN, "/start"),
        (DAN, DAN, "/start"),
        (EVE, EVE, "/start"),
    ):
        await w.say(user, command, chat)
    db = h.services.db
    live = await sessions.next_session(db, GROUP, h.clock.now)
    async with db.sessions.begin() as session:
        deleted = (
            (
                await session.execute(
                    text("SELECT id FROM sessions WHERE group_id = :g ORDER BY starts_at DESC"),
                    {"g": GROUP},
                )
            )
            .scalars()
            .first()
        )
        assert deleted is not None and deleted != live.id
        await session.execute(delete(Session).where(Session.id == deleted))
    (question,) = [
        m for m in h.api.bot_messages_to(GROUP) if any("report:" in d for d in m.callback_data)
    ]
    (private,) = [
        m for m in h.api.bot_messages_to(ANN) if any("report:" in d for d in m.callback_data)
    ]
    w.ids = {
        "live": live.id,
        "past": past,
        "cancelled": (await sessions.next_session(db, GROUP3, h.clock.now)).id,
        "deleted": deleted,
        "other": (await sessions.next_session(db, GROUP2, h.clock.now)).id,
        "gone": 10**9,
        "message:live": announcement_id(h),
        "message:past": past_message,
        "message:question": question.message_id,
        "message:other": announcement_id(h, GROUP2),
        "message:private": private.message_id,
    }
    w.stale = question.callback_data[0].rsplit(":", 1)[1]
    w.outsiders = frozenset({EVE})
    w.inputs = 0  # the budget counts generated updates only


@pytest.fixture
def watch(harness: Harness, caplog: pytest.LogCaptureFixture) -> Iterator[FuzzWatch]:
    caplog.set_level(logging.WARNING)
    snapshot = Dump(harness)
    w = FuzzWatch(harness, caplog, snapshot=snapshot, api_methods=None, accepted=saved)
    yield w
    snapshot.close()
    w.check_clean("at the end")


FUZZ = settings(
    deadline=None,
    database=None,
    phases=[Phase.generate, Phase.shrink],  # shrinking only ever runs after a failure
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@pytest.fixture
def budget(watch: FuzzWatch, request: pytest.FixtureRequest) -> Iterator[None]:
    """After a passing test: its whole budget was sent (hypothesis did not stop early)."""
    failed = request.session.testsfailed
    yield
    wanted = BUDGETS[request.node.name]
    if request.session.testsfailed == failed:
        assert watch.inputs == wanted, f"sent {watch.inputs} of {wanted} updates"


@settings(FUZZ, max_examples=COMMAND_EXAMPLES)
@given(name=names, addressee=addressees, argument=arguments, sender=st.sampled_from(SENDERS))
async def test_generated_messages_never_break_anything(
    watch: FuzzWatch,
    budget: None,
    name: str,
    addressee: str,
    argument: str,
    sender: tuple[int, int],
) -> None:
    if not watch.ids:
        await build(watch)
    user, chat = sender
    await watch.say(
        user, message_text(name, addressee, argument), chat, answered=handled(name, addressee)
    )


@settings(FUZZ, max_examples=BUTTON_EXAMPLES)
@given(data=button_data, target=st.sampled_from(TARGETS))
async def test_generated_button_presses_never_break_anything(
    watch: FuzzWatch, budget: None, data: str, target: tuple[str, int]
) -> None:
    if not watch.ids:
        await build(watch)
    name, user = target
    for key in ("live", "past", "cancelled", "deleted", "other", "gone"):
        data = data.replace("{" + key + "}", str(watch.ids[key]))
    data = data.replace("{stale}", watch.stale)
    chat = {"other": GROUP2, "private": ANN}.get(name, GROUP)
    await watch.press(user, watch.ids[f"message:{name}"], data, chat)


BUDGETS = {
    test_generated_messages_never_break_anything.__name__: COMMAND_EXAMPLES,
    test_generated_button_presses_never_break_anything.__name__: BUTTON_EXAMPLES,
}
