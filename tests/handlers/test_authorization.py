"""Every coach-only action × everyone who does not coach this group: refused, nothing changed.

The senders: a plain member of the group, a user who is not in it (in the group: an update
from someone who has left; in private: a former member whose home group it still is), an
admin of another group, and a coach added with /coach in another group. Each is refused
with a clear reply, the whole database is the same afterwards, and then the group's own
admin does the same thing and is not refused (so every row can fail).

The actions are not trusted to a hand-made list: every registered handler whose code
reaches the auth layer (`handlers.auth.is_coach` / `is_admin`, `handlers.guards.
coach_in_group`, `db.members.is_coach`), following calls through the handlers package,
must be exercised by a row of the matrix. A new coach command without a row fails
`test_the_matrix_covers_every_handler_that_asks_who_coaches`.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import logging
import pkgutil
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from handlers.guards import COACH_ONLY
from tests.handlers.conftest import ADMIN, ANN, BOB, DAN, GROUP, Harness
from tests.handlers.support import EVE, FRED, GROUP2, Dump, Watch, leave, prepare

HAL = 8  # a coach of the other group by /coach, not an admin anywhere

AUTH_LAYER = {
    ("handlers.auth", "is_coach"),
    ("handlers.auth", "is_admin"),
    ("handlers.guards", "coach_in_group"),
    ("db.members", "is_coach"),
}

IN_GROUP_ONLY = "in your club's group"
OTHERS = "Only coaches can report for someone else"
SPLITS = "2:50 2:48 2:47 2:46 2:45 2:44"  # the six 800s of the session that just ended


@dataclass(frozen=True)
class Action:
    """One coach-only thing to try: a command (with arguments) or a button."""

    label: str
    command: str = ""  # the command word, or "" for a button
    argument: str = ""
    button: str = ""  # the prefix of the prepared button to tap: "setup:" or "report:"
    refused: str = COACH_ONLY  # in the group
    refused_privately: str | None = IN_GROUP_ONLY  # None: no private-chat form
    reply_to_bob: bool = False
    admins_only: bool = False  # then a coach of this group who is not an admin is refused too
    # False only where the protection is not the auth layer (a confirmation lives in the
    # presser's own user data, so nobody else can press it).
    guarded: bool = True


MATRIX = (
    Action("set", "set", "day fri"),
    Action("setup", "setup"),
    Action("workout", "workout", "10x400m @R r200m"),
    Action("announce", "announce"),
    Action("cancel", "cancel", "storm"),
    Action("move", "move", "thu 19:00"),
    Action("attendance", "attendance", refused_privately=COACH_ONLY),
    Action("export", "export", "2026", refused_privately=COACH_ONLY),
    Action("groups", "groups", refused_privately=COACH_ONLY),
    Action("coach-add", "coach", f"add {BOB}", refused="Only group admins", admins_only=True),
    Action(
        "coach-remove", "coach", f"remove {FRED}", refused="Only group admins", admins_only=True
    ),
    # A non-coach's /targets is their own: "everyone who's in" is the coach-only part.
    Action("targets-everyone", "targets", refused="your targets", refused_privately="Your targets"),
    Action(
        "report-for-named", "report", f"@Bob {SPLITS}", refused=OTHERS, refused_privately=OTHERS
    ),
    Action(
        "report-for-replied",
        "report",
        SPLITS,
        refused=OTHERS,
        refused_privately=None,
        reply_to_bob=True,
    ),
    Action("report-noshow", "report", "@Bob noshow", refused=OTHERS, refused_privately=OTHERS),
    Action("report-undo-other", "report", "@Bob undo", refused=OTHERS, refused_privately=OTHERS),
    Action("setup-button", button="setup:", refused_privately=None),
    Action(
        "report-confirm-button",
        button="report:",
        refused="That report has expired",
        refused_privately=None,
        guarded=False,
    ),
)

# (user, who they are). Each acts in the group and, where the action has one, privately.
SENDERS = (
    (ANN, "member"),
    (EVE, "not a member"),
    (DAN, "admin of another group"),
    (HAL, "coach of another group"),
)


# --- which handlers ask who coaches ---------------------------------------------------------


def _calls_by_function(module_name: str) -> dict[tuple[str, str], set[tuple[str, str]]]:
    """(module, function) -> the (module, function)s it calls, as far as the source says."""
    module = importlib.import_module(module_name)
    tree = ast.parse(inspect.getsource(module))
    names: dict[str, tuple[str, str]] = {}
    modules: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                local = alias.asname or alias.name
                if _is_package(node.module) and importlib.util.find_spec(full) is not None:
                    modules[local] = full
                else:
                    names[local] = (node.module, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                modules[alias.asname or alias.name] = alias.name
    defined = {
        node.name: node
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    graph: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for name, function in defined.items():
        called: set[tuple[str, str]] = set()
        for call in ast.walk(function):
            if not isinstance(call, ast.Call):
                continue
            target = call.func
            if isinstance(target, ast.Name):
                if target.id in defined:
                    called.add((module_name, target.id))
                elif target.id in names:
                    called.add(names[target.id])
            elif (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id in modules
            ):
                called.add((modules[target.value.id], target.attr))
        graph[(module_name, name)] = called
    return graph


def _is_package(name: str) -> bool:
    spec = importlib.util.find_spec(name)
    return spec is not None and spec.submodule_search_locations is not None


def handlers_asking_who_coaches(handlers: list[BaseHandler[Any, Any, Any]]) -> set[tuple[str, str]]:
    """The registered callbacks whose code reaches the auth layer."""
    graph: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for info in pkgutil.iter_modules(importlib.import_module("handlers").__path__):
        graph.update(_calls_by_function(f"handlers.{info.name}"))
    reached: dict[tuple[str, str], bool] = {}

    def reaches(function: tuple[str, str], path: frozenset[tuple[str, str]]) -> bool:
        if function in AUTH_LAYER:
            return True
        if function not in reached:
            reached[function] = any(
                reaches(callee, path | {function})
                for callee in graph.get(function, ())
                if callee not in path
            )
        return reached[function]

    callbacks = {(h.callback.__module__, h.callback.__name__) for h in handlers}
    return {callback for callback in callbacks if reaches(callback, frozenset())}


def handler_of(handlers: list[BaseHandler[Any, Any, Any]], action: Action) -> tuple[str, str]:
    """The registered callback that takes the action (first match, as the Application does)."""
    for handler in handlers:
        if action.command and isinstance(handler, CommandHandler):
            matched = action.command in handler.commands
        elif not action.command and isinstance(handler, CallbackQueryHandler):
            pattern = handler.pattern
            matched = isinstance(pattern, re.Pattern) and bool(pattern.match(action.button))
        else:
            matched = False
        if matched:
            return handler.callback.__module__, handler.callback.__name__
    raise AssertionError(f"no handler takes {action}")


def anything(reply: str) -> bool:
    return True


def nothing(reply: str) -> bool:
    return False


# --- the world ------------------------------------------------------------------------------


@dataclass
class World:
    watch: Watch
    setup_message: int
    confirm_message: int
    bob_says: int


async def build_world(w: Watch) -> World:
    """Two clubs; Dan admins the other, Hal coaches it; the session has just ended."""
    h = w.h
    await prepare(w)
    h.api.add_user(HAL, "Hal")
    h.api.chats[GROUP].members.update({FRED, HAL, EVE})
    h.api.chats[GROUP2].members.add(HAL)
    assert "now a coach" in await w.say(DAN, f"/coach add {HAL}", GROUP2)
    assert "now a coach" in await w.say(ADMIN, f"/coach add {FRED}")
    # Eve answered once (so her home group is this one), then left the group.
    assert "You're in" in await w.say(EVE, "/in")
    leave(h, GROUP, EVE)
    for user in (ANN, EVE, DAN, HAL):
        await w.say(user, "/start" if user == EVE else f"/start g{-GROUP}", user)
        if user != EVE:
            assert "You're linked to Harriers" in h.bot_texts(user)[-1]
    for user in (ANN, DAN, HAL):
        await w.say(user, "/benchmark 5k 20:00", user)
    await h.feed(h.api.user_sends(BOB, GROUP, "hello"))  # a message to reply to
    bob_says = h.api.messages_in(GROUP)[-1].message_id
    h.clock.now += timedelta(days=6, hours=9)  # Tue 1 Dec 21:00: the session has ended
    # Bob (without Telegram) has times, so an undo or a no-show would change something.
    assert "Saved for Bob" in await w.say(ADMIN, f"/report @Bob {SPLITS}")
    await w.say(ADMIN, "/setup")
    setup_message = h.api.bot_messages_to(GROUP)[-1].message_id
    assert "Set-up 1/" in (h.api.message(GROUP, setup_message).plain_text or "")
    await w.say(ADMIN, "/report @Bob 2:50 2:48")  # two splits for six reps: asks first
    confirm_message = h.api.bot_messages_to(GROUP)[-1].message_id
    assert h.api.message(GROUP, confirm_message).callback_data[0].startswith("report:save:")
    w.outsiders = frozenset({EVE})
    w.accepted = nothing  # from now on whatever is refused must leave the database as it was
    return World(w, setup_message, confirm_message, bob_says)


async def attempt(world: World, user: int, action: Action, chat: int) -> str:
    """The action by `user` in `chat`; the reply (or the button's answer)."""
    w, h = world.watch, world.watch.h
    if action.button:
        message = world.setup_message if action.button == "setup:" else world.confirm_message
        data = h.api.message(chat, message).callback_data[0]
        return await w.press(user, message, data, chat)
    text = f"/{action.command} {action.argument}".strip()
    return await w.say(user, text, chat, reply_to=world.bob_says if action.reply_to_bob else None)


@pytest.fixture
def watch(harness: Harness, caplog: pytest.LogCaptureFixture) -> Iterator[Watch]:
    caplog.set_level(logging.WARNING)
    snapshot = Dump(harness)
    w = Watch(harness, caplog, snapshot=snapshot, api_methods=None, accepted=anything)
    yield w
    snapshot.close()
    w.check_clean("at the end")


# --- the tests ------------------------------------------------------------------------------


async def test_the_matrix_covers_every_handler_that_asks_who_coaches(harness: Harness) -> None:
    handlers = list(harness.app.handlers[0])
    asking = handlers_asking_who_coaches(handlers)
    covered = {handler_of(handlers, action) for action in MATRIX if action.guarded}
    assert asking - covered == set(), f"coach-only handlers without a row: {asking - covered}"
    assert covered - asking == set(), (
        f"rows whose handler never asks who coaches: {covered - asking}"
    )


@pytest.mark.parametrize("action", MATRIX, ids=[a.label for a in MATRIX])
async def test_everyone_but_a_coach_of_this_group_is_refused(watch: Watch, action: Action) -> None:
    world = await build_world(watch)
    senders = [*SENDERS, *([(FRED, "coach of this group, not an admin")] * action.admins_only)]
    for user, who in senders:
        places = [(GROUP, action.refused)]
        if action.refused_privately is not None:
            places.append((user, action.refused_privately))
        for chat, refusal in places:
            reply = await attempt(world, user, action, chat)
            assert refusal.lower() in reply.lower(), (who, chat, reply)
    # The same thing from the group's admin goes through (the database may change now).
    watch.accepted = anything
    reply = await attempt(world, ADMIN, action, GROUP)
    assert reply and action.refused.lower() not in reply.lower(), reply
