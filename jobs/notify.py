"""Telling people things: privately when they started the bot, else by mention in the group."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from telegram import Bot

from db.views import Person
from handlers.render import mention
from handlers.services import Services
from jobs.delivery import send


async def tell(
    bot: Bot,
    services: Services,
    group_id: int,
    people: Sequence[Person],
    private_text: str,
    group_text: Callable[[str], str],
) -> None:
    """Send `private_text` to those who can be messaged, mention the rest in the group.

    `group_text` builds the group message from the mentions; it is sent once,
    and only if someone could not be reached privately.
    """
    unreached: list[Person] = []
    for person in people:
        reached = person.can_dm and await send(bot, services, person.user_id, private_text)
        # Private mode: never named in the group, not even to tell them something.
        if not reached and not person.private:
            unreached.append(person)
    if unreached:
        mentions = ", ".join(mention(person) for person in unreached)
        await send(bot, services, group_id, group_text(mentions))
