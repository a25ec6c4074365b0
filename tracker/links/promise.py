"""Find where a paper says its code exists without giving its address.

Three kinds of statement (`PromiseKind`), each recognised by the shape of the
sentence rather than by a list of phrases seen so far:

- ``promised``: future or conditional release (``will be released``, ``to be
  open-sourced``, ``we plan to release``, ``upon acceptance``, ``coming soon``);
- ``available_no_link``: a present claim of availability whose address is not
  in the text. Either the link was lost in rendering (the sentence ends at
  ``available at`` or ``Code:``, or arXiv's ``this https URL`` stands in for
  it), or the authors claim it in words: ``code and models are available``,
  ``we release X``, ``released under the MIT license``, ``we present X, an
  open-source toolkit``;
- ``on_request``: available from the authors upon request, which is not public.

A statement counts only when it is the authors' own: about a thing a reader
could run or reuse (code, models, data, a library, or the system the paper
names), not negated, not conditional (``when labels are available``), and not
about tools the paper uses or others' work (``we use the open-source library
X``, ``existing open-source implementations``, ``open-source models such as
LLaMA``). A claim of availability that carries an address is kept, not an
unkept promise, so a paper with one has no promise at all; a future promise
stays one even beside an address (a project page is not the code).

Pure and linear: patterns run on lowercased text (case-insensitive matching is
several times slower), and only sentences holding a trigger word are examined.
"""

from __future__ import annotations

import bisect
import re

from tracker.records import Promise, PromiseKind

_STRONG_THING = (
    # "code" as a topic ("code LLMs", "code generation") is not code anyone could run
    r"code(?:s|base)?(?!\s+(?:llms?|language|models?|generation|completion|summari[sz]ation|search|review"
    r"|understanding|synthesis|assistants?|agents?|tasks?|snippets?|smells?|quality|clones?|of\s+conduct))"
    r"|source|implementations?|software|scripts?|weights|checkpoints?|toolkits?|toolbox(?:es)?"
    r"|library|libraries|packages?|repositor(?:y|ies)|artifacts?|pretrained\s+models?|trained\s+models?"
    r"|plugins?|extensions?"
)
_WEAK_THING = (
    r"models?|data(?:sets?)?|benchmarks?|tools?|frameworks?|systems?|platforms?|simulators?|environments?"
    r"|corpus|corpora|materials|annotations|prompts|pipelines?|suites?|apis?|demos?|gym"
    r"|engines?|compilers?|testbeds?|solvers?|infrastructure|agents?|traces?|logs|stack"
)
_THING = re.compile(rf"\b(?:{_STRONG_THING}|{_WEAK_THING})\b")
_STRONG = re.compile(rf"\b(?:{_STRONG_THING})\b")
# Nouns that "open-source" makes a release of the authors' own when they present one.
_ARTIFACT_NOUN = re.compile(
    r"(?:framework|library|toolkit|toolbox|tool|system|platform|package|implementation|software|environment"
    r"|simulator|benchmark|suite|codebase|engine|compiler|infrastructure|testbed|gym|pipeline|api|solution"
    r"|plugin|extension|repository|model|llm|dataset|project|runtime|interface|application|app|stack"
    r"|accelerator|kernel|profiler|debugger|service|server|database|language|format|release|version)s?\b"
)
_OPEN_SOURCE = r"open[- ]?sourc(?:e|ed|ing)"
_ADDRESS = re.compile(
    r"https?://[\w-]|www\.[\w-]|\b[a-z0-9-]+\.(?:com|org|io|ai|net|dev|co|edu|me|page|site|ly)(?:/|\b)|\bdoi:|\b10\.\d{4,9}/"
)
_LINKED_CUE = re.compile(rf"\b(?:availab\w*|accessib\w*|releas\w*|{_OPEN_SOURCE}|hosted|code|implementation)\b")
_PRONOUN = re.compile(r"\b(?:it|they|all|everything)\b")
_PLACEHOLDER = re.compile(r"\bthis\s+(?:https?\s+)?url\b|\{\s*(?:this\s+)?url\s*\}|\[(?:link|url)\]|<url>")

# Every statement holds one of these; the full analysis runs only on their sentences.
# Grouped by first letter: the scan of every abstract is most of the detector's cost.
_TRIGGER = re.compile(
    r"\b(?=[acdfghiloprstuwz])(?:a(?:vailab|ccessib|t\s*:?\W*$)|re(?:leas|quest)|open(?:[- ]?sourc|\s+source)"
    r"|p(?:ublic|lans?\b|ypi)|licen[cs]|co(?:ming|mmit|ntact|de\s*:)|url\b|s(?:hall\b|oon\b)|i(?:ntends?\b|nstall)"
    r"|to\s+be\b|git(?:hub|lab)|hugging|zenodo"
    r"|w(?:ill\b|e\s+(?:\w+\s+)?(?:share|publish|make|provide|offer|contribute|distribute))"
    r"|found\s+(?:at|on|in|here)|download|implementation\s*:|repository\s*:)"
)

# A sentence ends at . ! ? ; followed by a space (PDF text breaks lines inside sentences); not after
# the abbreviations abstracts use, and never inside a number or an address.
# The punctuation comes first so that the scan skips to it; the look-behinds only run there.
_SENTENCE_END = re.compile(r"[.!?;](?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bet al\.)(?<!\bvs\.)(?<!\bfig\.)(?<!\betc\.)(?=\s)")
_REACH = 400

_NEGATION = re.compile(
    r"\b(?:not|no|never|nor|neither|without|lacks?|lacking|lacked|unavailable|rarely|seldom|nothing|none"
    r"|few|little|limited|scarce|insufficient|cannot|can't|don't|doesn't|didn't|won't|isn't|aren't|wasn't)\b"
)
_CONDITIONAL = re.compile(
    r"\b(?:when|whenever|if|unless|until|where|whether|once|assuming|as long as|only|in case|so that|while)\b"
)
_OTHERS = re.compile(
    r"\b(?:existing|prior|previous|previously|earlier|other|others|their|many|most|several|various|some"
    r"|popular|widely[- ]used|well[- ]known|commercial|proprietary|third[- ]party|off[- ]the[- ]shelf"
    r"|baselines?|competing|alternative|alternatives|standard|common|conventional|mainstream|leading|typical"
    r"|these|those|such|public|number|numerous|plenty|lots|variety|range|hundreds|thousands|dozens|increasing"
    r"|growing)\b"
)
_USE = re.compile(
    r"\b(?:use[sd]?|using|utiliz\w*|utilis\w*|leverag\w*|employ(?:s|ed|ing)?|adopt(?:s|ed|ing)?|built"
    r"|build(?:s|ing)?\s+(?:on|upon)|based|rel(?:y|ies|ying)\s+on|on\s+top\s+of|atop|extend(?:s|ed|ing)?"
    r"|fine[- ]?tun\w*|evaluate[sd]?|evaluating|benchmark(?:s|ed|ing)\b|compare[sd]?|comparing|tested|testing"
    r"|run|runs|running|deploy(?:s|ed|ing)?|integrat(?:e|es|ed|ing)|such\s+as|including|like|e\.g|via|powered"
    r"|outperform\w*|than|against|surpass\w*|rival\w*|train(?:s|ed|ing)?\s+on|study|studies|studying"
    r"|analy[sz](?:e|es|ed|ing)|survey(?:s|ed|ing)?|mined|mine|mining|replicat\w*|reproduc(?:e|es|ed|ing)"
    r"|audit\w*|covers?|examin\w*|revisit\w*)\b"
)
# Availability in another sense: to a component, at a time, in a size.
_OTHER_SENSE = re.compile(
    r"\s+(?:to\s+(?:the\s+|each\s+|every\s+|all\s+)?(?:model|agent|user|learner|attacker|adversary|policy|system"
    r"|network|client|server|scheduler|compiler|solver|planner|robot|decoder|encoder|llm|runtime|kernel|hardware"
    r"|gpu|cpu|executor|interpreter|operating|worker|node|process|thread|task|caller|controller)s?\b"
    r"|at\s+(?:test|training|inference|run|deploy|compile|decode|each|every)\w*|during|for\s+(?:training|inference"
    r"|each|every|all|any|arbitrary|most|many|some|execution)|in\s+(?:practice|real|hardware|memory|most|many|some|\w+\s+sizes"
    r"|\w+\s+variants|\w+\s+versions|\w+\s+configurations|several|multiple|different|various)|only|per\b"
    r"|locally|offline|as\s+soon\s+as|when|after\s+(?:each|every|the\s+(?:first|last))|from\s+the\s+cache)"
)
_HOSTING = re.compile(r"github|gitlab|pypi|hugging|huggingface|zenodo|conda|cran|bitbucket|codeberg|docker")
_QUANTITY = re.compile(r"\b(?:more|enough|sufficient|additional|less|fewer|abundant|larger|new)\b")
_OWN = re.compile(r"\b(?:our|ours|we|this\s+(?:paper|work|study|article)|the\s+proposed|all\s+(?:the\s+)?code)\b")

_PUBLICLY = r"(?:(?:publicly|freely|openly|fully|also|now|soon|all|both|then|readily)\s+)*"
_AVAILABLE = rf"(?:available|accessible|public|released?|{_OPEN_SOURCE}|published|distributed)"
# "shared" and "provided" promise only when qualified: "weights will be shared across layers" is
# parameter sharing, "data will be provided to the model" is an input.
_QUALIFIED = r"(?:publicly|freely|openly)\s+(?:shared|provided)"
_ON_REQUEST = re.compile(
    r"\b(?:up)?on\s+(?:a\s+)?(?:reasonable\s+|justified\s+|written\s+|formal\s+|personal\s+|academic\s+)?request\b"
    r"|\bby\s+(?:request|contacting|emailing|writing\s+to)\b|\bupon\s+demand\b"
    r"|\b(?:contact(?:ing)?|e-?mail(?:ing)?|write\s+to)\s+the\s+(?:corresponding\s+|first\s+)?authors?\b"
    r"|\brequest(?:ed)?\s+from\s+the\s+(?:corresponding\s+)?authors?\b"
    r"|\bavailable\s+from\s+the\s+(?:corresponding\s+|first\s+|last\s+)?authors?\b"
    r"|\brequest\s+(?:access|a\s+copy|the\s+\w+)[^.;]{0,60}\bfrom\s+the\s+(?:corresponding\s+|first\s+)?authors?\b"
)
_ON_REQUEST_VERB = re.compile(
    r"\b(?:availab\w*|provided|shared|released|obtain\w*|accessi\w*|access|given|sent|request\w*)\b")
_FUTURE = re.compile(
    rf"""
    \b(?:will|shall|would)\s+(?:soon\s+|also\s+|then\s+|eventually\s+)?(?:be\s+)?(?:made\s+)?{_PUBLICLY}
        (?:{_AVAILABLE}|{_QUALIFIED}|hosted|put\s+online|posted|uploaded)\b
  | \b(?:will|shall)\s+(?:soon\s+|also\s+|then\s+)?(?:make|put)\b[^.;]{{0,80}}?\b(?:available|public|{_OPEN_SOURCE})
  | \b(?:will|shall)\s+(?:soon\s+|also\s+|then\s+|publicly\s+|openly\s+)?
        (?:release|{_OPEN_SOURCE}|publish|share|provide)
  | \b(?:plans?|planning|intends?|intending|aims?|going|expects?|hopes?|commit(?:ted)?)\s+to\s+(?:publicly\s+)?
        (?:releas\w*|{_OPEN_SOURCE}|open-?sourcing|publish\w*|shar\w*|mak\w*|provid\w*)
  | \bto\s+be\s+(?:made\s+)?{_PUBLICLY}(?:available|released|{_OPEN_SOURCE}|published|public|{_QUALIFIED})
  | \b{_AVAILABLE}\s+(?:upon|after|on|once|following|with)\s+(?:the\s+)?(?:paper'?s?\s+|manuscript'?s?\s+)?
        (?:acceptance|publication|accepted|published|review|camera)
  | \b(?:upon|after|once|following)\s+(?:the\s+)?(?:paper'?s?\s+)?(?:acceptance|publication|review)
  | \bcoming\s+soon\b | \b{_AVAILABLE}\s+soon\b | \bsoon\s+(?:be\s+)?{_AVAILABLE}
    """,
    re.VERBOSE,
)
# A claim in the present: "is (publicly) available", "has been released", "is open source".
_CLAIM = re.compile(
    rf"\b(?:is|are|has\s+been|have\s+been|was|were|been|now|remains?|being|can\s+be|may\s+be)\s+(?:now\s+)?"
    rf"(?:made\s+)?(?P<adverb>(?:publicly|freely|openly|fully|also|all|readily|both|easily)\s+)*"
    rf"(?P<word>available|accessible|released|{_OPEN_SOURCE}|open|public|published|hosted|downloaded|found"
    rf"|accessed|obtained|retrieved|installed|provided|on(?=\s+(?:github|gitlab|hugging\s*face|huggingface|zenodo"
    rf"|pypi|bitbucket|codeberg|the\s+hub)\b))\b"
)
_RELEASE = re.compile(
    rf"\bwe\s+(?:also\s+|hereby\s+|further\s+|publicly\s+|openly\s+|fully\s+|now\s+|have\s+)*"
    rf"(?P<verb>release[sd]?|{_OPEN_SOURCE}|publish(?:ed)?|share[sd]?|make|made|provide[sd]?|distribute[sd]?"
    rf"|offer(?:ed)?|contribute[sd]?|opensource)\b"
)
_LICENSE = re.compile(
    r"\b(?:under|with|using)\s+(?:the\s+|an?\s+)?(?:permissive\s+|open[- ]source\s+|liberal\s+|free\s+)*"
    r"(?:mit|apache|bsd|gpl|gplv\d|lgpl|agpl|mpl|mozilla|eclipse|cc[- ]?by|creative\s+commons|unlicense|isc"
    r"|open[- ]source\s+licen[cs]e|permissive\s+licen[cs]e|copyleft)\b"
    r"|\b(?:mit|apache(?:[- ]2(?:\.0)?)?|bsd|gpl|agpl|lgpl)[- ]licen[cs]ed\b"
)
_LICENSE_VERB = re.compile(
    rf"\b(?:releas\w*|availab\w*|licen[cs]ed|distribut\w*|{_OPEN_SOURCE}|publish\w*|provided|shared|made|hosted)\b"
)
# The sentence stops where the address should be: "available at", "Code:".
_LOST_LINK = re.compile(
    rf"(?:\b(?:availab\w*|accessib\w*|released|found|hosted|obtained|downloaded|accessed|{_OPEN_SOURCE}|provided"
    r"|published|located|reached)\s+(?:at|from|on|via|here|in|under|through)|\b(?:is|are|lives?)\s+at"
    r"|\b(?:code|codes|implementation|repository|github|project\s+page|page|website|models?|weights|data(?:set)?"
    r"|software|url|link|demo)\s*:)\W*(?:https?:?/*\W*)?$"
)
_SELF_INTRO = re.compile(
    r"\b(?:we|this\s+(?:paper|work|article|report)|here)\s+(?:also\s+|further\s+|first\s+|then\s+)?"
    r"(?:present|introduce|propose|develop|describe|release|provide|offer|contribute|implement|create|announce"
    r"|unveil|open)\w*\b(?!\s+(?:on|upon|atop|with)\b)"
)
# "an open-source framework", "a simple, open source environment", "a family of open-source models"
_APPOSITION_OPEN = re.compile(
    rf"(?:\ban?|\bthe\s+first|\bour|\bfully)\s+(?:(?:family|suite|collection|set|series)\s+of\s+)?"
    rf"(?P<between>(?:[\w-]+,?\s+){{0,3}}?)(?:fully\s+)?{_OPEN_SOURCE}\b,?\s+"
    rf"(?P<rest>(?:[\w-]+,?\s+){{0,5}}?)"
)
# Whole words only: "end-to-end" holds no "to".
_FUNCTION_WORD = re.compile(
    r"(?<![\w-])(?:that|which|who|to|for|with|on|in|of|than|by|from|and|or|using|via|into|over|across|while|is"
    r"|are|can|be)(?![\w-])"
)
_NAME_AFTER_INTRO = re.compile(
    r"\b(?:present|introduce|propose|develop|release|describe|build|design|call|name|dub)\w*\s+"
    r"(?:here\s+)?(?:the\s+)?([A-Z][\w.+-]*[A-Za-z0-9])"
)
_TITLE_NAME = re.compile(r"^\s*([^\s:]{2,40}(?:\s[^\s:]{1,20}){0,2})\s*:")
_SUBJECT_NAME = re.compile(r"[A-Za-z][\w.+-]*[A-Za-z0-9]")


def find_promise(text: str, *, title: str = "") -> Promise | None:
    """The first statement in `text` that code exists without its address, or None.

    None too when a claim of availability carries an address ("available at
    https://bit.ly/x"): the paper links what it speaks of, so nothing is left
    unkept. A future promise with an address ("will be released at our project
    page") is still a promise; whether the paper links a repository anyway is
    for `find_code_links` to say. `title` names the
    paper's own system ("Ark: An Open-source ... Framework") and is read as a
    statement itself.
    """
    names = _Names(title, text)
    found: Promise | None = None
    for source in (title, text) if title else (text,):
        lowered = source.lower()
        if len(lowered) != len(source):  # a few characters lowercase to two; keep indices aligned
            lowered = source.encode("ascii", "replace").decode().lower()
        seen_end = -1
        ends: list[int] | None = None
        for trigger in _TRIGGER.finditer(lowered):
            if trigger.start() < seen_end:
                continue
            if ends is None:
                ends = [match.end() for match in _SENTENCE_END.finditer(lowered)]
            start, end = _sentence_span(ends, trigger.start(), len(lowered))
            seen_end = end
            sentence = lowered[start:end]
            kind = _classify(sentence, source[start:end], names)
            if kind not in (PromiseKind.PROMISED, PromiseKind.ON_REQUEST) and _ADDRESS.search(sentence):
                # "available at https://bit.ly/x": what it speaks of is linked. A promise stays one
                # even with an address ("will be released at our project page"): the code is not there yet.
                if _links_its_code(sentence, names):
                    return None
                continue
            if kind is None:
                continue
            if found is None:
                found = Promise(kind=kind, sentence=" ".join(source[start:end].split()))
    return found


def _links_its_code(sentence: str, names: _Names) -> bool:
    """Whether a sentence with an address offers code there ("It is available at https://..."), not a video."""
    return _LINKED_CUE.search(sentence) is not None and (
        _THING.search(sentence) is not None or _names_own(sentence, names) or _PRONOUN.search(sentence) is not None
    )


def _sentence_span(ends: list[int], position: int, length: int) -> tuple[int, int]:
    """The sentence around `position`, given where sentences end; never more than `_REACH` either side."""
    index = bisect.bisect_right(ends, position)
    start = ends[index - 1] if index else 0
    end = ends[index] if index < len(ends) else length
    return max(start, position - _REACH), min(end, position + _REACH)


class _Names:
    """Names of the paper's own system, found on first use: most sentences are decided without them."""

    __slots__ = ("_found", "_text", "_title")

    def __init__(self, title: str, text: str) -> None:
        self._title, self._text = title, text
        self._found: frozenset[str] | None = None

    def get(self) -> frozenset[str]:
        if self._found is None:
            self._found = _own_names(self._title, self._text)
        return self._found


def _own_names(title: str, text: str) -> frozenset[str]:
    """Names of the paper's own system: the title's before a colon, and what "we present X" names."""
    names = set()
    # without a title, the text's first line may be one ("X: An Open-Source Toolkit\n...")
    if match := _TITLE_NAME.match(title or text.split("\n", 1)[0]):
        names.add(match.group(1).lower())
        names.add(match.group(1).split()[0].lower())
    for source in (title, text):
        for match in _NAME_AFTER_INTRO.finditer(source):
            names.add(match.group(1).lower())
    names.discard("a")
    names.discard("an")
    return frozenset(names)


def _classify(sentence: str, original: str, names: _Names) -> PromiseKind | None:
    on_request = _ON_REQUEST.search(sentence)
    # "contact the authors for the code" needs no verb of availability; "on request" does
    direct = on_request is not None and on_request.group().startswith(
        ("contact", "e-mail", "email", "write", "request"))
    if on_request and _THING.search(sentence) and (direct or _ON_REQUEST_VERB.search(sentence)):
        return PromiseKind.ON_REQUEST
    for match in _FUTURE.finditer(sentence):
        if _future_counts(sentence, match.start(), match.group(), names):
            return PromiseKind.PROMISED
    if _available_no_link(sentence, original, names):
        return PromiseKind.AVAILABLE_NO_LINK
    return None


def _clause_before(sentence: str, position: int) -> str:
    """The words from the start of the clause that holds `position` up to it."""
    head = sentence[:position]
    cut = max(head.rfind(","), head.rfind(":"), head.rfind("("), head.rfind(" but "), head.rfind(" whereas "),
              head.rfind(" while "), head.rfind(" unlike "), head.rfind(" and we "))
    return head[cut + 1 :] if cut >= 0 else head


def _names_own(words: str, names: _Names) -> bool:
    return any(len(name) > 2 and _has_word(words, name) for name in names.get())


def _has_word(text: str, word: str) -> bool:
    """Whether `word` occurs in `text` as a whole word (no regular expression: names differ per paper)."""
    start = text.find(word)
    while start >= 0:
        end = start + len(word)
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if not (before.isalnum() or before in "_-") and not (after.isalnum() or after in "_-"):
            return True
        start = text.find(word, start + 1)
    return False


def _future_counts(sentence: str, position: int, phrase: str, names: _Names) -> bool:
    clause = _clause_before(sentence, position)
    if _NEGATION.search(clause) or re.search(r"\bnot\b|n't\b", phrase):
        return False
    if re.match(r"\s*(?:not|never)\b", sentence[position + len(phrase) :]):
        return False
    if _CONDITIONAL.search(clause) and not _OWN.search(clause):
        return False
    if not _OWN.search(clause) and (_OTHERS.search(clause) or _QUANTITY.search(clause)):
        return False  # "many new models will be released", "more data will be available"
    if _OTHER_SENSE.match(sentence, position + len(phrase)) or re.match(
            r"\s+(?:at|in)\s+an?\s+\w+\s+pace", sentence[position + len(phrase) :]):
        return False
    if re.search(_OPEN_SOURCE, phrase):
        return True  # only software is open-sourced
    if re.search(r"\b(?:share|provide)$", phrase):  # "users will share resources": only "we" share code
        return re.search(r"\bwe\b", clause) is not None and _THING.search(sentence, position) is not None
    if re.search(r"\b(?:will|shall|to)\s+(?:\w+\s+)?(?:release|open|publish|share|provide|make|put)\b"
                 r"|releasing|sourcing", phrase):  # "we will release the code": what is released follows
        return _THING.search(sentence, position) is not None or _names_own(sentence[position:], names)
    # "the code will be released", "code: coming soon": what is released is the subject, before the phrase
    # ("results will be released as part of the suite" releases results)
    return _THING.search(sentence, 0, position) is not None or _names_own(sentence[:position], names)


def _subject_is_own(clause: str, names: _Names, *, strong_needed: bool) -> bool:
    """Whether the clause before a claim names the authors' own code, not others' or a tool they use."""
    if _NEGATION.search(clause) or _CONDITIONAL.search(clause):
        return False
    own = _OWN.search(clause) is not None or _names_own(clause, names)
    if (_OTHERS.search(clause) or re.search(r"\w'(?:s\b|\s)", clause)) and not own:
        return False  # "existing models", "the vendor's compiler"
    words = clause.split()
    if _USE.search(" ".join(words)) and not re.search(r"\b(?:our|ours)\b", clause):
        return False
    if own:  # "our dataset is available", not "our method is available for any model"
        return not strong_needed or _THING.search(clause) is not None or _names_own(clause, names)
    return (_STRONG if strong_needed else _THING).search(clause) is not None


def _available_no_link(sentence: str, original: str, names: _Names) -> bool:
    if _PLACEHOLDER.search(sentence) and (_THING.search(sentence) or _CLAIM.search(sentence)):
        return not _NEGATION.search(sentence[: _PLACEHOLDER.search(sentence).start()])  # type: ignore[union-attr]
    if _LOST_LINK.search(sentence):
        clause = _clause_before(sentence, len(sentence))
        if (_THING.search(sentence) or _names_own(sentence, names)) and not _NEGATION.search(clause):
            return True
    if _LICENSE.search(sentence):
        # the licence must be said of the subject ("the code is released under", "we release ... under"),
        # not of what the paper studies ("projects released under the GPL")
        verb = re.search(rf"\b(?:is|are|be|been|being|we\s+(?:\w+\s+)?\w+)\s+(?:\w+ly\s+)?{_LICENSE_VERB.pattern}",
                         sentence)
        verb = verb or re.search(r"\b(?:is|are)\s+(?:\w+-)?licen[cs]ed\b", sentence)
        if verb is not None:
            clause = _clause_before(sentence, verb.start())
            if re.match(r"\s*we\b", sentence[verb.start() :]) or re.fullmatch(
                    r"\s*(?:it|they|all|everything)\s*", clause):
                return True  # a licence is said only of software: "it is released under ..." is the authors'
            if _subject_is_own(clause, names, strong_needed=False):
                return True
    for match in _CLAIM.finditer(sentence):
        if _claim_counts(sentence, match, original, names):
            return True
    for match in _RELEASE.finditer(sentence):
        if _release_counts(sentence, match, original, names):
            return True
    return _self_described_open(sentence, names)


def _claim_counts(sentence: str, match: re.Match[str], original: str, names: _Names) -> bool:
    word = match.group("word")
    after = sentence[match.end() :]
    if _OTHER_SENSE.match(after) or _foreign_after(original[match.end() :], names):
        return False
    if re.match(r"\s+(?:by|from)\s+(?:its|their|the\s+original|the\s+developers|the\s+vendor|[a-z]+'s)\b", after):
        return False  # "released by its authors": someone else's release
    if word in ("downloaded", "found", "accessed", "obtained", "retrieved", "installed") and not re.match(
        r"\s+(?:at|from|on|via|online|through|with\s+pip|using\s+pip)\b", after
    ):
        return False
    if word == "provided" and not re.match(
            rf"\s+(?:as\s+(?:an?\s+)?(?:free|open|{_OPEN_SOURCE})|publicly|online|under)", after):
        return False  # "is provided as input": only "provided as open source" is a release
    if word in ("open", "public") and not re.match(r"[- ]?sourc|\s*(?:\.|$|,|and\b|on\b|at\b)", after):
        return False  # "is open to", "is public knowledge"
    if word in ("released", "published", "hosted") and re.match(r"\s+(?:in|by|as|with)\s+(?:\d|[a-z]+\s+\d)", after):
        return False  # "was released in 2023": a history, not our release
    clause = _clause_before(sentence, match.start())
    if re.fullmatch(r"\s*(?:which|that)\s*", clause):  # "our toolkit, which is open source, ...": its antecedent
        clause = _clause_before(sentence, sentence.rfind(",", 0, match.start()))
    if re.search(r"\b(?:that|which)\s*$", clause) and _USE.search(clause):
        return False  # "we evaluate on datasets that are publicly available"
    qualified = match.group("adverb") is not None and re.search(r"publicly|freely|openly", match.group("adverb"))
    strong_needed = not qualified and word in ("available", "accessible", "hosted", "downloaded", "found", "accessed",
                                               "obtained", "retrieved", "installed", "on")
    if not _subject_is_own(clause, names, strong_needed=strong_needed):
        return False
    if _foreign_name(original[match.start() - len(clause) : match.start()], sentence, names):
        return False
    subject_words = clause.split()
    return bool(subject_words) and not (word in ("released", "published") and len(subject_words) > 8)


def _foreign_name(subject: str, sentence: str, names: _Names) -> bool:
    """Whether the subject names a system that is not the paper's own ("checkpoints of BERT")."""
    if _OWN.search(subject.lower()):
        return False
    words = subject.split()
    if sentence.lstrip().startswith(subject.lstrip().lower()[:10]):
        words = words[1:]  # the sentence's first word is capitalised anyway
    indefinite = re.match(r"\s*(?:an?|one)\s", subject.lower()) is not None
    for position, word in enumerate(words):
        token = word.strip(",;()\"'")
        if not any(ch.isupper() for ch in token) or token.lower() in names.get() or _THING.fullmatch(token.lower()):
            continue
        following = words[position + 1].lower() if position + 1 < len(words) else ""
        if indefinite and _THING.fullmatch(following):
            continue  # "a Python implementation": a language or framework modifying the authors' thing
        return True
    return False


def _foreign_after(after: str, names: _Names) -> bool:
    """ "publicly available for LLaMA-2": the claim is about a system the paper does not name as its own."""
    match = re.match(r"\s+(?:for|of|from)\s+(?:the\s+)?([A-Z][\w.+-]*)", after)
    name = match.group(1).rstrip(".").lower() if match else ""
    if not name or _HOSTING.fullmatch(name):
        return False  # "installed from PyPI" says where, not whose
    return name not in names.get()


def _release_counts(sentence: str, match: re.Match[str], original: str, names: _Names) -> bool:
    verb = match.group("verb")
    after = sentence[match.end() : match.end() + 160]
    if verb in ("make", "made"):
        return re.match(rf"[^.;]{{0,100}}?\b(?:available|public|{_OPEN_SOURCE}|accessible)\b", after) is not None and (
            _THING.search(after) is not None or _names_own(after, names)
        )
    if verb.startswith(("provide", "offer", "contribute", "distribute")):
        gap = re.match(rf"\s+(?:an?\s+|the\s+|our\s+|all\s+)?((?:[\w-]+\s+){{0,3}}?)(?:{_OPEN_SOURCE}|publicly)", after)
        return gap is not None and not _FUNCTION_WORD.search(gap.group(1))
    if verb.startswith(("share", "publish")):
        return _STRONG.search(after) is not None
    # release, open-source: of a thing, or of something the paper names ("We release SmallThinker-4B")
    if re.match(r"\s+(?:\w+\s+){0,2}?(?:results|findings|insights|lessons|analysis|constraint|assumption)", after):
        return False
    if _THING.search(after) or _names_own(after, names):
        return True
    offset = match.end()
    return re.match(r"\s+(?:the\s+)?[A-Z]", original[offset : offset + 20]) is not None


def _self_described_open(sentence: str, names: _Names) -> bool:
    """ "We present X, an open-source framework", "X: An Open-Source Gym", "X is a simple, open source tool"."""
    if re.search(_OPEN_SOURCE + r"|open\s+source", sentence) is None:
        return False
    sentence = re.sub(r"open\s+source", "open-source", sentence)
    intro = _SELF_INTRO.search(sentence)
    for match in _APPOSITION_OPEN.finditer(sentence):
        if _FUNCTION_WORD.search(match.group("between")):
            continue
        rest = sentence[match.end("between") :]
        noun = re.match(rf"(?:fully\s+)?{_OPEN_SOURCE},?\s+((?:[\w-]+,?\s+){{0,5}}?){_ARTIFACT_NOUN.pattern}", rest)
        if noun is None or _FUNCTION_WORD.search(noun.group(1)):
            continue
        if re.match(r"[,\s]*(?:such\s+as|like|including|e\.g)", rest[noun.end() :]):
            continue  # "open-source models such as LLaMA": others'
        head = sentence[: match.start()]
        if intro is not None and intro.start() < match.start():
            # what is presented is the apposition itself: "we present X, an open-source ...", not
            # "we describe lessons learned from maintaining an open-source project"
            between = sentence[intro.end() : match.start()]
            if len(between.split()) <= 3 and not _FUNCTION_WORD.search(between) and not _USE.search(between):
                return True
            continue
        # no "we present": the subject before "is" or the colon must be the paper's own name
        subject = re.match(
            r"\s*(.*?)(?:\s+(?:is|are)(?:\s+(?:implemented|released|provided|distributed|available|packaged|shipped"
            r"|offered|built))?(?:\s+as)?\s*|\s*:\s*|\s*,\s*)$",
            head,
        )
        if subject and 0 < len(subject.group(1).split()) <= 4:
            named = subject.group(1)
            if _names_own(named, names) or re.fullmatch(r"(?:our|this|the\s+proposed)\s+[\w-]+(?:\s+[\w-]+)?", named):
                return True
    return False
