"""Clean-up and quoting of untrusted text, so every parser treats odd Unicode the same way."""

import unicodedata

# Invisible characters that phones and copy-paste sprinkle into messages.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)

# Characters that could reorder or spoof text when we echo it back into a group chat.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def tidy(text: str) -> str:
    """Fold look-alike characters (full-width digits, no-break spaces) and trim, for parsing."""
    return unicodedata.normalize("NFKC", text.translate(_INVISIBLE)).strip()


def is_unsafe(char: str) -> bool:
    """True for control, surrogate and bidi characters that must never be stored or echoed."""
    return unicodedata.category(char) in ("Cc", "Cs") or char in _BIDI_CONTROLS


def quoted(text: str, limit: int = 24) -> str:
    """Echo a fragment of user input inside a message safely: printable, short, in quotes."""
    shown = "".join(c for c in text if c.isprintable() and c not in _BIDI_CONTROLS)
    if len(shown) > limit:
        shown = shown[: limit - 1].rstrip() + "…"
    return f"“{shown}”"
