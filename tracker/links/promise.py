"""Tell whether a text promises code (or models, or data) it does not link.

The rule, so that it generalises beyond the phrases seen so far: within one
sentence, a word for something a reader could run or reuse (code,
implementation, model, weights, data, benchmark, ...) together with an
availability phrase that is future or conditional (``will be released``,
``to be open sourced``, ``available upon request``, ``coming soon``, ``we plan
to release``). Present-tense availability (``our code is available``,
``publicly available code``, ``we release Kubric``) is a claim, not a promise,
and a negated future (``will not be released``) promises nothing.
"""

from __future__ import annotations

import re

# All patterns run on lowercased text: case-insensitive matching is several times slower.
_THING = re.compile(
    r"\b(?:code(?:s|base)?|implementations?|models?|weights|checkpoints?|data(?:sets?)?|benchmarks?"
    r"|software|scripts?|tool(?:s|kit)?|library|repository|artifacts?|resources|materials)\b"
)
_AVAILABLE = r"(?:available|accessible|public|released?|open[- ]?sourced?|published)"
# "share" and "provide" promise only when qualified: "weights will be shared"
# and "layers will share weights" are parameter sharing, "data will be provided
# to the model" is an input.
_PUBLICLY = r"(?:(?:publicly|freely|openly|fully)\s+)?"
_QUALIFIED = r"(?:publicly|freely|openly)\s+(?:shared|provided)"
_ON_REQUEST = r"(?:available|released|provided|shared)\s+(?:up)?on\s+(?:reasonable\s+)?request"
# Every phrase starts with one of these words, so a cheap scan for them finds
# the few places where the full pattern needs to be tried.
_TRIGGER = re.compile(
    r"\b(?:will|shall|to\s+be|plans?|intends?|aims?|coming|soon|available|accessible|public"
    r"|released?|open[- ]?sourced?|published|shared|provided)\b"
)
_FUTURE = re.compile(
    rf"""
    (?:will|shall)\s+(?:soon\s+)?(?:be\s+)?(?:made\s+)?(?:{_PUBLICLY}{_AVAILABLE}|{_QUALIFIED})
  | (?:will|shall)\s+(?:soon\s+)?(?:make|put)\b[^.;]{{0,60}}?\b{_PUBLICLY}(?:available|public)
  | (?:will|shall)\s+(?:soon\s+)?(?:release|open[- ]?source|publish)
  | (?:plans?|intends?|aims?)\s+to\s+(?:release|open[- ]?source|publish|share|make)
  | to\s+be\s+(?:made\s+)?(?:{_PUBLICLY}(?:available|released|open[- ]?sourced|published)|{_QUALIFIED})
  | {_ON_REQUEST}
  | {_AVAILABLE}\s+(?:upon|after|once)\s+(?:the\s+)?(?:paper'?s?\s+)?(?:acceptance|publication|accepted|published)
  | coming\s+soon
  | {_AVAILABLE}\s+soon
  | soon\s+(?:be\s+)?{_AVAILABLE}
    """,
    re.VERBOSE,
)
_SENTENCE_END = re.compile(r"[.!?;]\s")
# "Near" means the same sentence, and never further than this many characters.
_REACH = 300


def _sentence_around(text: str, position: int) -> str:
    start = max(0, position - _REACH)
    for match in _SENTENCE_END.finditer(text, start, position):
        start = match.end()
    end_match = _SENTENCE_END.search(text, position, position + _REACH)
    return text[start : end_match.start() if end_match else position + _REACH]


def promises_code(text: str) -> bool:
    """Whether a sentence of `text` promises future or on-request availability of code, models or data."""
    lowered = text.lower()
    for trigger in _TRIGGER.finditer(lowered):
        if _FUTURE.match(lowered, trigger.start()) and _THING.search(_sentence_around(lowered, trigger.start())):
            return True
    return False
