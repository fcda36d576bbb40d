"""Unicode direction controls in a translation: the marks and isolates a right-to-left catalog
needs are invisible, so `flask translate check` names the ones that would disturb the page."""

from babel import Locale

MARKS = {"\u200e": "LEFT-TO-RIGHT MARK", "\u200f": "RIGHT-TO-LEFT MARK", "\u061c": "ARABIC LETTER MARK"}
# Each opener and the character that must close it (UAX #9).
OPENERS = {
    "\u202a": ("LRE", "\u202c"), "\u202b": ("RLE", "\u202c"), "\u202d": ("LRO", "\u202c"), "\u202e": ("RLO", "\u202c"),
    "\u2066": ("LRI", "\u2069"), "\u2067": ("RLI", "\u2069"), "\u2068": ("FSI", "\u2069"),
}
CLOSERS = {"\u202c": "PDF", "\u2069": "PDI"}


def _edge_mark(text: str, at_start: bool) -> str:
    # Isolates at an edge are fine when balanced (checked below); a lone mark there only fights the page's dir.
    text = text.strip()
    char = text[:1] if at_start else text[-1:]
    return char if char in MARKS else ""


def unbalanced(text: str) -> str | None:
    """What is wrong with the embeddings and isolates in text, or None when each opens and closes in turn."""
    open_ = []
    for char in text:
        if char in OPENERS:
            open_.append(char)
        elif char in CLOSERS:
            if not open_ or OPENERS[open_[-1]][1] != char:
                return f"a {CLOSERS[char]} closes nothing opened before it"
            open_.pop()
    if open_:
        return f"a {OPENERS[open_[-1]][0]} is never closed by a {CLOSERS[OPENERS[open_[-1]][1]]}"
    return None


def direction_problems(form: str, msgstr: str, english: str) -> list[str]:
    found = []
    for edge, at_start in (("begins", True), ("ends", False)):
        char = _edge_mark(msgstr, at_start)
        if char and char != _edge_mark(english, at_start):
            found.append(
                f"{form} {edge} with an invisible {MARKS[char]} (U+{ord(char):04X}) the English does not:"
                " the page sets the direction itself, so delete it (isolate a Latin word inside the text instead)"
            )
    if problem := unbalanced(msgstr):
        found.append(
            f"{form} has unbalanced direction controls: {problem}; every LRE, RLE, LRO or RLO needs a PDF after it,"
            " every LRI, RLI or FSI a PDI, or the text after it turns around"
        )
    return found


def isolated(text: str, lang: str) -> str:
    """Text in FSI ... PDI inside a right-to-left language's plain text (a mail has no markup to
    say dir="ltr"), so "GBG-2026-00042" or a phone number keeps its order; unchanged otherwise."""
    return f"\u2068{text}\u2069" if Locale.parse(lang).text_direction == "rtl" else text
