"""The state machine answers like Telegram: shapes, permissions, edits, updates."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.fake_api import FakeTelegram
from tests.fake_api.errors import MSG_NOT_MODIFIED

from .conftest import ANN, BEN, GROUP, KIT

KEYBOARD = {
    "inline_keyboard": [
        [
            {"text": "In", "callback_data": "rsvp:in"},
            {"text": "Maybe", "callback_data": "rsvp:maybe"},
            {"text": "Out", "callback_data": "rsvp:out"},
        ]
    ]
}


def _announce(tg: FakeTelegram, text: str = "Intervals 6x800m") -> dict[str, Any]:
    status, body = tg.handle(
        "sendMessage", {"chat_id": str(GROUP), "text": text, "reply_markup": json.dumps(KEYBOARD)}
    )
    assert status == 200, body
    result = body["result"]
    assert isinstance(result, dict)
    return result


def test_send_message_shape_and_wire_decoding(tg: FakeTelegram) -> None:
    result = _announce(tg)
    assert result["message_id"] == 1
    assert result["from"] == {
        "id": 999000,
        "is_bot": True,
        "first_name": "Speed Session",
        "username": "SpeedSessionBot",
    }
    assert result["chat"] == {"id": GROUP, "title": "Track Tuesdays", "type": "supergroup"}
    assert result["reply_markup"] == KEYBOARD
    call = tg.calls_of("sendmessage")[0]
    assert call.method == "sendMessage"
    assert call.params["chat_id"] == GROUP
    assert call.params["reply_markup"] == KEYBOARD
    msg = tg.last_message(GROUP)
    assert msg is not None and msg.created_by == "sendMessage"
    assert msg.callback_data == ["rsvp:in", "rsvp:maybe", "rsvp:out"]


def test_message_ids_are_per_chat(tg: FakeTelegram) -> None:
    _announce(tg)
    _, body = tg.handle("sendMessage", {"chat_id": ANN, "text": "hi"})
    assert body["result"]["message_id"] == 1
    assert _announce(tg)["message_id"] == 2


@pytest.mark.parametrize(
    ("chat_id", "status", "description"),
    [
        (BEN, 403, "Forbidden: bot can't initiate conversation with a user"),
        (KIT, 403, "Forbidden: bot was blocked by the user"),
        (-555, 400, "Bad Request: chat not found"),
    ],
)
def test_private_and_unknown_chats(
    tg: FakeTelegram, chat_id: int, status: int, description: str
) -> None:
    assert tg.handle("sendMessage", {"chat_id": chat_id, "text": "hi"}) == (
        status,
        {"ok": False, "error_code": status, "description": description},
    )


def test_kicked_and_left_groups(tg: FakeTelegram) -> None:
    tg.kick_bot(GROUP)
    _, body = tg.handle("sendMessage", {"chat_id": GROUP, "text": "hi"})
    assert body["description"] == "Forbidden: bot was kicked from the supergroup chat"
    tg.add_group(-42, "Old basic group")
    assert tg.handle("leaveChat", {"chat_id": -42})[0] == 200
    _, body = tg.handle("sendMessage", {"chat_id": -42, "text": "hi"})
    assert body["description"] == "Forbidden: bot is not a member of the group chat"


def test_start_unlocks_private_messages(tg: FakeTelegram) -> None:
    update = tg.user_starts(BEN, "join-42")
    assert update["message"]["text"] == "/start join-42"
    assert update["message"]["entities"] == [{"offset": 0, "length": 6, "type": "bot_command"}]
    assert update["message"]["chat"]["type"] == "private"
    assert tg.handle("sendMessage", {"chat_id": BEN, "text": "welcome"})[0] == 200


@pytest.mark.parametrize(
    ("text", "parse_mode", "description"),
    [
        ("", None, "Bad Request: message text is empty"),
        ("   ", None, "Bad Request: message text is empty"),
        ("x" * 4097, None, "Bad Request: message is too long"),
        ("<b>Ann & <Ben></b>", "HTML", "can't parse entities: Unsupported start tag"),
        ("<b>open", "HTML", 'Can\'t find end tag corresponding to start tag "b"'),
        ("6x800m. Bring water!", "MarkdownV2", "Character '.' is reserved"),
        ("*bold", "MarkdownV2", "Can't find end of the entity starting at byte offset 0"),
    ],
)
def test_text_validation(
    tg: FakeTelegram, text: str, parse_mode: str | None, description: str
) -> None:
    params = {"chat_id": GROUP, "text": text}
    if parse_mode:
        params["parse_mode"] = parse_mode
    status, body = tg.handle("sendMessage", params)
    assert status == 400
    assert description in body["description"]


def test_html_length_counts_visible_text(tg: FakeTelegram) -> None:
    text = "<b>" + "x" * 4096 + "</b>"
    status, _ = tg.handle("sendMessage", {"chat_id": GROUP, "text": text, "parse_mode": "HTML"})
    assert status == 200
    msg = tg.last_message(GROUP)
    assert msg is not None and msg.text == text and msg.plain_text == "x" * 4096


@pytest.mark.parametrize("data", ["", "x" * 65, "é" * 33])
def test_callback_data_limits(tg: FakeTelegram, data: str) -> None:
    markup = {"inline_keyboard": [[{"text": "In", "callback_data": data}]]}
    status, body = tg.handle("sendMessage", {"chat_id": GROUP, "text": "t", "reply_markup": markup})
    assert (status, body["description"]) == (400, "Bad Request: BUTTON_DATA_INVALID")


def test_edit_rules(tg: FakeTelegram) -> None:
    msg_id = _announce(tg)["message_id"]
    same = {"chat_id": GROUP, "message_id": msg_id, "text": "Intervals 6x800m"}
    status, body = tg.handle("editMessageText", {**same, "reply_markup": KEYBOARD})
    assert (status, body["description"]) == (400, MSG_NOT_MODIFIED)

    status, body = tg.handle("editMessageText", {**same, "text": "Intervals 6x800m (1 in)"})
    assert status == 200 and "reply_markup" not in body["result"]  # keyboard removed
    assert "edit_date" in body["result"]
    msg = tg.message(GROUP, msg_id)
    assert msg.reply_markup is None and msg.history[0].reply_markup == KEYBOARD

    status, body = tg.handle("editMessageText", {**same, "message_id": 99})
    assert (status, body["description"]) == (400, "Bad Request: message to edit not found")


def test_edit_reply_markup_and_delete(tg: FakeTelegram) -> None:
    msg_id = _announce(tg)["message_id"]
    target = {"chat_id": GROUP, "message_id": msg_id}
    assert tg.handle("editMessageReplyMarkup", {**target, "reply_markup": KEYBOARD})[0] == 400
    assert tg.handle("editMessageReplyMarkup", target)[0] == 200
    assert tg.message(GROUP, msg_id).buttons == []
    assert tg.handle("deleteMessage", target) == (200, {"ok": True, "result": True})
    assert tg.messages_in(GROUP) == []
    _, body = tg.handle("deleteMessage", target)
    assert body["description"] == "Bad Request: message to delete not found"


def test_button_press_and_answers(tg: FakeTelegram) -> None:
    msg_id = _announce(tg)["message_id"]
    update = tg.user_presses(BEN, GROUP, msg_id, text="Maybe")
    query = update["callback_query"]
    assert query["data"] == "rsvp:maybe"
    assert query["message"]["reply_markup"] == KEYBOARD
    assert query["from"]["id"] == BEN
    params = {"callback_query_id": query["id"], "text": "Noted"}
    assert tg.handle("answerCallbackQuery", params)[0] == 200
    status, body = tg.handle("answerCallbackQuery", params)
    assert status == 400 and body["description"].startswith("Bad Request: query is too old")
    assert tg.callback_answers_for(update["update_id"]) == [{"show_alert": False, "text": "Noted"}]
    assert tg.callback_answers_for(query["id"]) == tg.callback_answers_for(update["update_id"])


def test_pressing_missing_button_fails_the_test(tg: FakeTelegram) -> None:
    msg_id = _announce(tg)["message_id"]
    with pytest.raises(AssertionError, match="no button"):
        tg.user_presses(BEN, GROUP, msg_id, data="rsvp:never")
    with pytest.raises(AssertionError, match="does not exist"):
        tg.user_presses(BEN, GROUP, 77, data="rsvp:in")


def test_get_updates_offsets_and_allowed_updates(tg: FakeTelegram) -> None:
    first = tg.user_sends(ANN, GROUP, "/session@SpeedSessionBot tue")
    assert first["message"]["entities"][0]["length"] == len("/session@SpeedSessionBot")
    second = tg.user_sends(BEN, GROUP, "count me in")
    _, body = tg.handle("getUpdates", {"offset": 0, "limit": 1})
    assert [u["update_id"] for u in body["result"]] == [first["update_id"]]
    _, body = tg.handle("getUpdates", {"offset": first["update_id"] + 1})
    assert [u["update_id"] for u in body["result"]] == [second["update_id"]]
    _, body = tg.handle("getUpdates", {"offset": second["update_id"] + 1})
    assert body["result"] == []
    tg.handle("getUpdates", {"allowed_updates": '["callback_query"]'})
    tg.user_sends(BEN, GROUP, "filtered out")
    assert tg.handle("getUpdates", {})[1]["result"] == []


def test_webhook_blocks_polling(tg: FakeTelegram) -> None:
    assert tg.handle("setWebhook", {"url": "https://example.invalid/hook"})[0] == 200
    status, body = tg.handle("getUpdates", {})
    assert status == 409 and "webhook is active" in body["description"]
    assert tg.handle("deleteWebhook", {"drop_pending_updates": "true"})[0] == 200
    assert tg.handle("getUpdates", {})[0] == 200


def test_members_and_admins(tg: FakeTelegram) -> None:
    def status_of(user_id: int) -> str:
        _, body = tg.handle("getChatMember", {"chat_id": GROUP, "user_id": user_id})
        return str(body["result"]["status"])

    assert [status_of(ANN), status_of(BEN)] == ["creator", "member"]
    tg.add_user(444, "Dee")
    assert status_of(444) == "left"
    tg.set_admin(GROUP, BEN, True)
    assert status_of(BEN) == "administrator"
    _, body = tg.handle("getChatAdministrators", {"chat_id": GROUP})
    assert [m["user"]["id"] for m in body["result"]] == [ANN, BEN]
    assert tg.handle("getChatMemberCount", {"chat_id": GROUP})[1]["result"] == 4
    assert tg.handle("getChatMember", {"chat_id": GROUP, "user_id": 9})[0] == 400


def test_commands_per_scope_and_visible_menu(tg: FakeTelegram) -> None:
    everyone = [{"command": "next", "description": "Next session"}]
    admins = [*everyone, {"command": "announce", "description": "Post a session"}]
    tg.handle("setMyCommands", {"commands": json.dumps(everyone)})
    scope = {"type": "chat_administrators", "chat_id": GROUP}
    tg.handle("setMyCommands", {"commands": admins, "scope": json.dumps(scope)})
    assert tg.commands_for() == everyone
    assert tg.commands_for(scope) == admins
    assert tg.visible_commands(GROUP, ANN) == admins
    assert tg.visible_commands(GROUP, BEN) == everyone
    _, body = tg.handle("getMyCommands", {"scope": {"type": "all_private_chats"}})
    assert body["result"] == []
    bad = [{"command": "Announce", "description": "x"}]
    assert tg.handle("setMyCommands", {"commands": bad})[1]["description"] == (
        "Bad Request: BOT_COMMAND_INVALID"
    )


def test_pinning_needs_admin_rights(tg: FakeTelegram) -> None:
    msg_id = _announce(tg)["message_id"]
    params = {"chat_id": GROUP, "message_id": msg_id}
    _, body = tg.handle("pinChatMessage", params)
    assert body["description"].endswith("not enough rights to manage pinned messages in the chat")
    tg.set_admin(GROUP, tg.bot.id, True)
    assert tg.handle("pinChatMessage", params)[0] == 200
    assert tg.handle("getChat", {"chat_id": GROUP})[1]["result"]["pinned_message"]["message_id"]


def test_bot_added_and_removed(tg: FakeTelegram) -> None:
    tg.add_group(-77, "New club", bot_member=False)
    update = tg.bot_added_to_group(-77, ANN)
    change = update["my_chat_member"]
    assert (change["old_chat_member"]["status"], change["new_chat_member"]["status"]) == (
        "left",
        "member",
    )
    removed = tg.bot_removed_from_group(-77, ANN)["my_chat_member"]
    assert removed["new_chat_member"] == {
        "status": "kicked",
        "user": tg.bot.to_json(),
        "until_date": 0,
    }


def test_unknown_method_is_404(tg: FakeTelegram) -> None:
    assert tg.handle("sendTelepathy", {}) == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
