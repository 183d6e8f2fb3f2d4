"""A real PTB `Bot` gets Telegram-equivalent results and exceptions over both transports."""

from __future__ import annotations

import datetime as dtm
import warnings
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter

from tests.fake_api import DEFAULT_TOKEN, FakeTelegram
from tests.fake_api.http_server import FakeBotApiServer
from tests.fake_api.request import FakeRequest

from .conftest import ANN, BEN, GROUP

KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("In", callback_data="in"),
            InlineKeyboardButton("Out", callback_data="out"),
        ]
    ]
)


@pytest.fixture(params=["http", "in-process"])
async def bot(
    request: pytest.FixtureRequest, tg: FakeTelegram, server: FakeBotApiServer
) -> AsyncIterator[Bot]:
    """The same Bot API client, once via base_url + HTTPX, once via FakeRequest."""
    if request.param == "http":
        client = Bot(DEFAULT_TOKEN, base_url=server.base_url)
    else:
        client = Bot(DEFAULT_TOKEN, request=FakeRequest(tg), get_updates_request=FakeRequest(tg))
    async with client:
        yield client


def _seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22.2+ deprecates the int form
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


async def test_get_me(bot: Bot, tg: FakeTelegram) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name, me.is_bot) == (
        999000,
        "SpeedSessionBot",
        "Speed Session",
        True,
    )
    assert tg.calls_of("getMe")


async def test_send_edit_and_not_modified(bot: Bot, tg: FakeTelegram) -> None:
    sent = await bot.send_message(
        GROUP, "<b>Tue 18:30</b> track", parse_mode="HTML", reply_markup=KEYBOARD
    )
    assert sent.chat.type == "supergroup" and sent.reply_markup == KEYBOARD
    assert tg.last_message(GROUP) is not None
    edited = await bot.edit_message_text(
        "<b>Tue 18:30</b> track — 1 in",
        GROUP,
        sent.message_id,
        parse_mode="HTML",
        reply_markup=KEYBOARD,
    )
    assert not isinstance(edited, bool) and edited.edit_date is not None
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "<b>Tue 18:30</b> track — 1 in",
            GROUP,
            sent.message_id,
            parse_mode="HTML",
            reply_markup=KEYBOARD,
        )
    assert [c.status for c in tg.calls_of("editMessageText")] == [200, 400]


async def test_answer_callback_query(bot: Bot, tg: FakeTelegram) -> None:
    sent = await bot.send_message(GROUP, "Session", reply_markup=KEYBOARD)
    update = tg.user_presses(BEN, GROUP, sent.message_id, data="in")
    query_id = update["callback_query"]["id"]
    assert await bot.answer_callback_query(query_id, text="You're in", show_alert=True)
    assert tg.callback_answers_for(query_id) == [{"show_alert": True, "text": "You're in"}]
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_flood_and_forbidden_errors(bot: Bot, tg: FakeTelegram) -> None:
    tg.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(GROUP, "x")
    assert _seconds(info.value) == 7
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(BEN, "psst")
    tg.drop_next("sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(GROUP, "lost")


async def test_updates_and_chat_queries(bot: Bot, tg: FakeTelegram) -> None:
    tg.user_sends(ANN, GROUP, "/rsvp")
    updates = await bot.get_updates(timeout=0)
    assert updates[0].message is not None and updates[0].message.text == "/rsvp"
    member = await bot.get_chat_member(GROUP, ANN)
    assert member.status == "creator"
    admins = await bot.get_chat_administrators(GROUP)
    assert [a.user.id for a in admins] == [ANN]
    chat = await bot.get_chat(GROUP)
    assert chat.title == "Track Tuesdays"


async def test_send_document_location_and_photo(bot: Bot, tg: FakeTelegram) -> None:
    payload = b"lap,time\n1,78.2\n"
    doc = await bot.send_document(GROUP, payload, filename="laps.csv", caption="Splits")
    assert doc.document is not None and doc.document.file_name == "laps.csv"
    stored = tg.message(GROUP, doc.message_id)
    assert stored.document is not None and stored.document.content == payload
    assert stored.caption == "Splits"
    again = await bot.send_document(ANN, doc.document.file_id)
    assert again.document is not None and again.document.file_id == doc.document.file_id
    loc = await bot.send_location(GROUP, latitude=52.52, longitude=13.405)
    assert loc.location is not None and loc.location.latitude == pytest.approx(52.52)
    photo = await bot.send_photo(ANN, b"\x89PNG fake", caption="Route")
    assert photo.photo and tg.message(ANN, photo.message_id).photo is not None


async def test_commands_round_trip(bot: Bot, tg: FakeTelegram) -> None:
    from telegram import BotCommand, BotCommandScopeChatAdministrators

    scope = BotCommandScopeChatAdministrators(GROUP)
    await bot.set_my_commands([BotCommand("announce", "Post a session")], scope=scope)
    commands = await bot.get_my_commands(scope=scope)
    assert [c.command for c in commands] == ["announce"]
    assert tg.visible_commands(GROUP, ANN) == [
        {"command": "announce", "description": "Post a session"}
    ]


async def test_wrong_token_is_rejected(server: FakeBotApiServer) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("1:wrong", base_url=server.base_url):
            pass
