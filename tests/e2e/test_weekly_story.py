"""The whole weekly story against the real bot process, as real users drive it."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.conftest import ANN, BOB, CAT, COACH, DAN, GROUP, BotProcess
from tests.fake_api import FakeTelegram, Message

pytestmark = pytest.mark.e2e


def say(api: FakeTelegram, user: int, text: str, expect: str, chat: int = GROUP) -> Message:
    mark = api.message_mark(chat)
    api.user_sends(user, chat, text)
    return api.wait_for_message(chat, expect, timeout=15, after_index=mark + 1)


def announcements(api: FakeTelegram) -> list[Message]:
    return [m for m in api.messages_in(GROUP) if m.from_bot and "Speed session ·" in (m.text or "")]


def press(api: FakeTelegram, user: int, message: Message, action: str) -> str:
    """Tap the button for `action` (in, maybe, out, guest+) as it is shown right now."""
    current = api.message(GROUP, message.message_id)
    data = next(
        str(b["callback_data"])
        for b in current.buttons
        if str(b["callback_data"]).endswith(f":{action}")
    )
    update = api.user_presses(user, GROUP, message.message_id, data=data)
    query_id = update["callback_query"]["id"]
    api.wait_until(lambda: bool(api.callback_answers_for(query_id)), 15, f"answer to {action}")
    return str(api.callback_answers_for(query_id)[-1].get("text", ""))


def test_scheduled_week_with_a_restart_rsvps_waitlist_and_reminders(
    api: FakeTelegram, bot: BotProcess
) -> None:
    # The session starts 2-3 minutes from now: announcement 2 min before, reminder 1 min before.
    now = datetime.now(UTC)
    start = (now + timedelta(minutes=3)).replace(second=0, microsecond=0)
    if start - now < timedelta(minutes=2, seconds=20):
        start += timedelta(minutes=1)
    announce_at = start - timedelta(minutes=2)
    reminder_at = start - timedelta(minutes=1)

    say(api, COACH, "/set tz UTC", "Saved")
    say(api, COACH, f"/set day {start.strftime('%A').lower()}", "Saved")
    say(api, COACH, "/set reminder 1m", "Saved")
    say(api, COACH, "/set announce 2m", "Saved")
    say(api, COACH, "/set place Parliament Hill track", "Saved")
    say(api, COACH, "/set capacity 2", "Saved")
    echo = say(api, COACH, f"/set time {start:%H:%M}", "Saved")
    assert f"{start:%H:%M}" in (echo.plain_text or "")
    read = say(api, COACH, "/workout 6x800m @5K r90s", "Read as")
    assert "800" in (read.plain_text or "")

    # Ann asks for private reminders; Cat starts the bot so a promotion reaches her privately.
    api.user_starts(ANN)
    api.wait_for_message(ANN, "Hi Ann", timeout=15)
    say(api, ANN, "/remind on", "reminders are on", chat=ANN)
    api.user_starts(CAT)
    api.wait_for_message(CAT, "Hi Cat", timeout=15)

    # The bot is down when the announcement is due, and comes back afterwards.
    bot.stop()
    while datetime.now(UTC) < announce_at + timedelta(seconds=2):
        time.sleep(0.5)
    bot.start(api)
    api.wait_until(lambda: len(announcements(api)) == 1, 20, "the missed announcement")
    announcement = announcements(api)[0]
    text = announcement.plain_text or ""
    assert "Parliament Hill track" in text and "6 × 800" in text

    # Members answer with buttons and commands; the tap is answered with the date.
    assert press(api, ANN, announcement, "in").startswith("You're in for")
    assert press(api, BOB, announcement, "in").startswith("You're in")
    assert "waitlist" in press(api, CAT, announcement, "in")
    say(api, DAN, "/maybe might be late", "maybe")
    # Bob drops out: Cat is promoted and told privately.
    assert "out" in press(api, BOB, announcement, "out").lower()
    api.wait_for_message(CAT, "a place freed up", timeout=15)

    def final_text_is_exact() -> bool:
        shown = api.message(GROUP, announcement.message_id).plain_text or ""
        return (
            "In (2/2): Ann, Cat" in shown and "Maybe (1): Dan" in shown and "Out (1): Bob" in shown
        )

    api.wait_until(final_text_is_exact, 15, "the announcement shows the final state")

    # The reminder goes out at its time: once in the group, once privately to Ann.
    wait = (reminder_at - datetime.now(UTC)).total_seconds()
    reminder = api.wait_for_message(GROUP, "⏰", timeout=max(wait, 0) + 20)
    assert "Ann" in (reminder.plain_text or "") and "Cat" in (reminder.plain_text or "")
    api.wait_for_message(ANN, "Speed session", timeout=15)
    time.sleep(2)
    assert len(announcements(api)) == 1
    assert (
        len(
            [
                m
                for m in api.messages_in(GROUP)
                if m.from_bot and "⏰ Reminder" in (m.plain_text or "")
            ]
        )
        == 1
    )
    assert len([m for m in api.messages_in(ANN) if m.from_bot and "⏰" in (m.text or "")]) == 1

    # After the start the buttons are closed.
    api.wait_until(
        lambda: not api.message(GROUP, announcement.message_id).buttons,
        (start - datetime.now(UTC)).total_seconds() + 20,
        "the buttons closed at the start",
    )
    # After the start members report: in the group, and privately through the deep link.
    say(api, COACH, "/report 2:45 2:43 2:41 2:40 2:38 2:35", "PB 800 m")
    api.user_starts(CAT, f"report_{abs(GROUP)}")
    api.wait_for_message(CAT, "Send me your splits", timeout=15)
    private = say(api, CAT, "/report 2:50 2:48", "Save it as it is", chat=CAT)
    data = next(str(b["callback_data"]) for b in private.buttons if b["text"] == "Save as it is")
    mark = api.message_mark(CAT)
    api.user_presses(CAT, CAT, private.message_id, data=data)
    saved = api.wait_for_message(CAT, "Saved", timeout=15, after_index=mark)
    assert "2:48" in (saved.plain_text or "")


def test_cancel_and_move_tell_members_and_edit_the_announcement(
    api: FakeTelegram, bot: BotProcess
) -> None:
    say(api, COACH, "/set day tue", "Saved")
    say(api, COACH, "/announce", "Speed session")
    announcement = announcements(api)[0]
    press(api, ANN, announcement, "in")
    say(api, BOB, "/maybe", "maybe")
    say(api, CAT, "/out", "out")
    assert "Only coaches" in (say(api, ANN, "/cancel", "coaches").plain_text or "")
    reply = say(api, COACH, "/cancel heavy thunderstorms", "Cancelled")
    assert "2 member" in (reply.plain_text or "")
    api.wait_until(
        lambda: "CANCELLED" in (api.message(GROUP, announcement.message_id).plain_text or ""),
        15,
        "the announcement shows the cancellation",
    )
    assert not api.message(GROUP, announcement.message_id).buttons
    moved = say(api, COACH, "/move wed 19:00", "Moved")
    assert "19:00" in (moved.plain_text or "")
    api.wait_until(
        lambda: (
            "19:00" in (api.message(GROUP, announcement.message_id).plain_text or "")
            and bool(api.message(GROUP, announcement.message_id).buttons)
        ),
        15,
        "the announcement shows the new time with its buttons back",
    )
