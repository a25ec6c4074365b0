"""What an artifact's answer means: pure judgement over observations.

A paper's other links (project pages, models, datasets, DOIs, short links) rot
like its repositories, and they are judged by the same rule: only an
authoritative answer makes a link `gone`. A 404 or 410 is one; so is a page
that answers 200 but says it is not there (a soft 404), with the sentence as
evidence. A name that no longer resolves is not, the first time: DNS fails for
many passing reasons, so it is `gone` only when two checks a day or more apart
agree. Everything else that is a fault is `unreachable`.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

DNS_GONE_AFTER = timedelta(days=1)


class LinkState(enum.StrEnum):
    OK = "ok"
    MOVED = "moved"  # answered, but at another address than the paper wrote (permanent redirect)
    GATED = "gated"  # exists; access needs accepting terms (Hugging Face)
    GONE = "gone"  # an authoritative answer: 404, 410, a soft 404, a removed record, DNS gone for a day
    UNREACHABLE = "unreachable"  # a fault: we could not find out
    NOT_CHECKED = "not_checked"  # not asked: refused by policy (a private address), or not a kind we read


@dataclass(frozen=True, slots=True)
class Hop:
    """One answer on the way to a page: its address and status."""

    url: str
    status: int


@dataclass(frozen=True, slots=True)
class PageObservation:
    """What asking for a web address gave, before any judgement.

    Exactly one of `fault`, `refused` and `hops` says what happened: a fault of
    the network or the service (`dns_failed` when DNS said the name has no
    address, `resolver_fault` when DNS could not be asked at all), a
    request we would not send (a private address), or the answers received,
    redirects first and the final answer last.
    """

    url: str
    hops: tuple[Hop, ...] = ()
    title: str | None = None
    text_start: str = ""
    fault: str | None = None
    dns_failed: bool = False
    refused: str | None = None
    resolver_fault: bool = False  # DNS itself could not be asked: nothing is known of the name either way
    not_modified: bool = False  # the final answer was a 304 to a conditional request: the page is as it was

    @property
    def final(self) -> Hop | None:
        return self.hops[-1] if self.hops else None


@dataclass(frozen=True, slots=True)
class LinkVerdict:
    """A link's state in one check, with the reason a person reads and the evidence behind it."""

    state: LinkState
    reason: str
    evidence: tuple[str, ...] = ()
    final_url: str | None = None


_PERMANENT = frozenset({301, 308})
_SOFT_404 = re.compile(
    r"\b(?:404|page not found|not found|page (?:does not|doesn't|could not be) (?:exist|found)|"
    r"no longer (?:exists|available)|has been (?:removed|deleted)|there isn't a github pages site here|"
    r"site not found|domain (?:is )?for sale|this domain (?:may be|is) for sale)\b",
    re.IGNORECASE,
)


def soft_404(title: str | None, text_start: str) -> str | None:
    """The words by which a 200 page says it is not there, or None.

    The title decides on its own (hosts put "404" or "Page not found" there);
    the body only when it is short, since a long live page may well mention
    "not found" somewhere.
    """
    if title:
        match = _SOFT_404.search(title)
        if match:
            return f"title: {title.strip()[:120]}"
    body = " ".join(text_start.split())
    if body and len(body) < 600:
        match = _SOFT_404.search(body)
        if match:
            start = max(0, match.start() - 40)
            return f"page says: {body[start:match.end() + 40]}"
    return None


def judge_page(observation: PageObservation, *, dns_failing_since: datetime | None, now: datetime) -> LinkVerdict:
    """A web link's state from one observation and, for DNS, when the name first stopped resolving."""
    url = observation.url
    if observation.refused is not None:
        return LinkVerdict(LinkState.NOT_CHECKED, observation.refused)
    if observation.dns_failed:
        since = dns_failing_since or now
        if now - since >= DNS_GONE_AFTER:
            return LinkVerdict(LinkState.GONE, f"the name has not resolved since {since:%Y-%m-%d %H:%M} UTC",
                               (observation.fault or "DNS lookup failed",))
        return LinkVerdict(LinkState.UNREACHABLE, "the name did not resolve (once is not evidence; asked again later)",
                           (observation.fault or "DNS lookup failed",))
    if observation.fault is not None or observation.final is None:
        return LinkVerdict(LinkState.UNREACHABLE, observation.fault or "no answer")
    chain = tuple(f"{hop.status} {hop.url}" for hop in observation.hops)
    final = observation.final
    if final.status in (404, 410):
        return LinkVerdict(LinkState.GONE, f"the server answered {final.status}", chain, final.url)
    if 200 <= final.status < 300:
        words = soft_404(observation.title, observation.text_start)
        if words is not None:
            return LinkVerdict(LinkState.GONE, "the page answers 200 but says it is not there (a soft 404)",
                               (*chain, words), final.url)
        if observation.hops[0].status in _PERMANENT and final.url != url:
            return LinkVerdict(LinkState.MOVED, f"moved permanently to {final.url}", chain, final.url)
        return LinkVerdict(LinkState.OK, f"answered {final.status}", chain, final.url)
    if 300 <= final.status < 400:
        return LinkVerdict(LinkState.UNREACHABLE, "redirected too many times, or without a Location", chain)
    # 401, 403, 429, 5xx, and any other 4xx: the server spoke, but not to say the page is gone.
    return LinkVerdict(LinkState.UNREACHABLE, f"the server answered {final.status}, which says nothing of the page",
                       chain, final.url)


@dataclass(frozen=True, slots=True)
class HubObservation:
    """What the Hugging Face Hub said of a model, dataset or space."""

    repo_id: str
    kind: str  # model, dataset, space
    found: bool | None  # None: the Hub could not be asked
    gated: bool = False
    disabled: bool = False
    private: bool = False
    last_modified: datetime | None = None
    license: str | None = None
    downloads: int | None = None
    detail: str = ""


def judge_hub(observation: HubObservation) -> LinkVerdict:
    """A Hub repository's state. The Hub answers 401 alike for missing and private repositories, so both are gone
    to a reader without an account, which is what a paper's reader is."""
    facts = tuple(
        fact for fact in (
            f"last modified {observation.last_modified:%Y-%m-%d}" if observation.last_modified else "",
            f"license {observation.license}" if observation.license else "",
            f"{observation.downloads} downloads" if observation.downloads is not None else "",
        ) if fact
    )
    if observation.found is None:
        return LinkVerdict(LinkState.UNREACHABLE, observation.detail or "the Hub could not be asked")
    if observation.disabled:
        return LinkVerdict(LinkState.GONE, "the Hub has disabled this repository", (observation.detail,))
    if not observation.found:
        return LinkVerdict(LinkState.GONE, f"the Hub has no public {observation.kind} {observation.repo_id}",
                           (observation.detail,))
    if observation.gated:
        return LinkVerdict(LinkState.GATED, f"the {observation.kind} exists; access is gated", facts)
    return LinkVerdict(LinkState.OK, f"the {observation.kind} exists on the Hub", facts)
