"""Pure domain logic for the speed-session bot: standard library only, no Telegram, no DB.

Keeping it pure makes the rules (notation, schedule, waitlist) fast to test in isolation.
"""
