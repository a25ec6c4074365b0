"""Link rot as survival: how long does a paper's code stay reachable?

A repository that still exists is *censored*: we know it lived at least that
long, not when it will die. Discarding those, or counting them as survivors
forever, biases the curve; the Kaplan-Meier estimator uses them correctly.
Written here rather than taken from `lifelines` because the estimator is a
dozen lines and `lifelines` would pull pandas, scipy and autograd into a tool
that needs none of them.

A report of any size folds its rows into a `LifetimeTally` (two numbers per
lifetime, in arrays) and `ArtifactDates` as they are read; the functions over
lists of rows fold through the same two.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time

from tracker.report.model import ALIVE, DEAD, PaperEntry, RepoEntry


@dataclass(frozen=True, slots=True)
class SurvivalPoint:
    """The estimate just after `time`: S(time), from `at_risk` subjects, `events` of whom died then."""

    time: float
    at_risk: int
    events: int
    survival: float


def kaplan_meier(durations: Sequence[float], observed: Sequence[bool] | Sequence[int]) -> list[SurvivalPoint]:
    """Kaplan-Meier product-limit estimate of the survival function.

    Kaplan, E. L. and Meier, P. (1958), "Nonparametric estimation from
    incomplete observations", JASA 53(282):457-481:

        S(t) = prod over event times t_i <= t of (1 - d_i / n_i)

    where d_i is the number of events at t_i and n_i the number still at risk
    just before t_i (duration >= t_i). A subject censored at t_i is counted at
    risk at t_i, the usual convention that censoring follows death at ties.
    Returns one point per distinct event time, in increasing time; S is 1
    before the first of them.
    """
    if len(durations) != len(observed):
        raise ValueError(f"{len(durations)} durations but {len(observed)} event flags")
    if any(d < 0 for d in durations):
        raise ValueError("durations must be non-negative")
    deaths = Counter(d for d, dead in zip(durations, observed, strict=True) if dead)
    leaving = Counter(durations)
    at_risk = len(durations)
    survival = 1.0
    points: list[SurvivalPoint] = []
    for t in sorted(leaving):
        if deaths[t]:
            survival *= 1.0 - deaths[t] / at_risk
            points.append(SurvivalPoint(time=t, at_risk=at_risk, events=deaths[t], survival=survival))
        at_risk -= leaving[t]
    return points


@dataclass(frozen=True, slots=True)
class Lifetime:
    """One repository's observed lifetime in days since its paper appeared.

    `from_publication` is False where the paper's publication date is unknown
    and the clock started when it was first seen, which a chart should count.
    """

    key: str
    days: float
    died: bool
    from_publication: bool = True


def _as_datetime(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time.min, tzinfo=UTC)


def lifetime(repo: RepoEntry, origin: str = "either") -> Lifetime | None:
    """One repository's lifetime for the survival curve, or None where it says nothing about survival.

    The clock starts at the paper's publication date, else at first sighting
    (`origin` ``"either"``); ``"published"`` or ``"first_seen"`` uses that one
    alone, so that one curve never mixes two clocks.
    A dead repository's event is the first check that saw it gone; a living one
    is censored at its latest check. Unreachable and unchecked repositories say
    nothing about survival and are left out, as is anything without a start.
    """
    start: date | datetime | None = {
        "published": repo.published, "first_seen": repo.first_seen,
    }.get(origin, repo.published or repo.first_seen)
    if start is None:
        return None
    if repo.status in DEAD:
        end = repo.gone_since or repo.checked_at
        died = True
    elif repo.status in ALIVE:
        end = repo.checked_at
        died = False
    else:
        return None
    if end is None:
        return None
    days = (_as_datetime(end) - _as_datetime(start)).total_seconds() / 86400
    # A repository checked before its paper's date (preprints) is alive at day 0.
    return Lifetime(key=repo.key, days=max(days, 0.0), died=died, from_publication=repo.published is not None)


def lifetimes(repositories: Iterable[RepoEntry], origin: str = "either") -> list[Lifetime]:
    """Lifetimes for the survival curve (`lifetime`), in the order of `repositories`."""
    return [item for repo in repositories if (item := lifetime(repo, origin)) is not None]


def dated_from_first_sight(observed: Iterable[Lifetime]) -> int:
    """How many lifetimes start at first sight because their paper's publication date is unknown."""
    return sum(1 for item in observed if not item.from_publication)


def link_survival(repositories: Iterable[RepoEntry]) -> list[SurvivalPoint]:
    """Kaplan-Meier curve of repository survival in days since publication."""
    observed = lifetimes(repositories)
    return kaplan_meier([item.days for item in observed], [item.died for item in observed])


@dataclass(frozen=True, slots=True)
class SurvivalBasis:
    """Which clock a survival curve runs on, and how many repositories had no publication date."""

    origin: str  # "published" or "first_seen"
    with_date: int
    without_date: int

    @property
    def axis_label(self) -> str:
        return "days since the paper appeared" if self.origin == "published" else "days since first seen by the tracker"


def survival_basis(repositories: Iterable[RepoEntry]) -> SurvivalBasis:
    """Publication dates where most repositories' papers have one, else first sightings.

    A scraped page carries no dates; mixing the two clocks in one curve would
    put a paper of 2019 seen today beside one published today.
    """
    tally = LifetimeTally(origins=())
    for repo in repositories:
        tally.add(repo)
    return tally.basis()


ALL_LINKS = "all links"


@dataclass(frozen=True, slots=True)
class KindCurve:
    """One line of the survival chart of every link: a kind of link (or `ALL_LINKS`) and its estimate."""

    kind: str
    subjects: int
    points: list[SurvivalPoint]


class ArtifactDates:
    """The earliest publication and first sighting of the papers that link each artifact, a paper at a time."""

    def __init__(self) -> None:
        self.published: dict[str, date] = {}
        self.first_seen: dict[str, datetime] = {}

    def add(self, paper: PaperEntry) -> None:
        for artifact in paper.artifacts:
            if paper.published is not None:
                self.published[artifact.url] = min(self.published.get(artifact.url, paper.published),
                                                   paper.published)
            if paper.first_seen is not None:
                self.first_seen[artifact.url] = min(self.first_seen.get(artifact.url, paper.first_seen),
                                                    paper.first_seen)

    def dated(self, entry: RepoEntry) -> RepoEntry:
        return replace(entry, published=self.published.get(entry.key), first_seen=self.first_seen.get(entry.key))


def dated_artifacts(artifacts: Iterable[RepoEntry], papers: Iterable[PaperEntry]) -> list[RepoEntry]:
    """Artifacts with the dates repositories carry: the earliest publication and first sighting of the papers
    that link them, so that a page's clock starts where its paper's repository's does."""
    dates = ArtifactDates()
    for paper in papers:
        dates.add(paper)
    return [dates.dated(entry) for entry in artifacts]


_KNOWN = ALIVE | DEAD


class LifetimeTally:
    """Lifetimes by clock (`origins`) and kind of link, a row at a time: days and death, two arrays each.

    Kaplan-Meier depends only on the multiset of (days, died), so the arrays
    of several kinds, or of several tallies, concatenate into one curve.
    Also counts what `survival_basis` needs.
    """

    def __init__(self, origins: Sequence[str] = ("published", "first_seen")) -> None:
        self.origins = tuple(origins)
        self.known = self.dated = 0
        self.lives: dict[tuple[str, str], tuple[array[float], array[int]]] = {}

    def add(self, entry: RepoEntry) -> None:
        if entry.status not in _KNOWN:
            return  # an unreachable or unchecked row has no lifetime on any clock
        self.known += 1
        self.dated += entry.published is not None
        for origin in self.origins:
            item = lifetime(entry, origin)
            if item is not None:
                days, died = self.lives.setdefault((origin, entry.kind), (array("d"), array("b")))
                days.append(item.days)
                died.append(item.died)

    def merged(self, other: LifetimeTally) -> LifetimeTally:
        """Both tallies' lifetimes as one (the arrays copied), as if every row had been added to one tally."""
        both = LifetimeTally(self.origins)
        both.known, both.dated = self.known + other.known, self.dated + other.dated
        for tally in (self, other):
            for place, (days, died) in tally.lives.items():
                into_days, into_died = both.lives.setdefault(place, (array("d"), array("b")))
                into_days.extend(days)
                into_died.extend(died)
        return both

    def basis(self) -> SurvivalBasis:
        origin = "published" if self.known and self.dated * 2 >= self.known else "first_seen"
        return SurvivalBasis(origin=origin, with_date=self.dated, without_date=self.known - self.dated)

    def by_kind(self, origin: str) -> dict[str, tuple[array[float], array[int]]]:
        return {kind: lives for (clock, kind), lives in sorted(self.lives.items()) if clock == origin}

    def observed(self, origin: str) -> tuple[array[float], array[int]]:
        """Every lifetime on one clock: (days, died)."""
        days, died = array("d"), array("b")
        for kind_days, kind_died in self.by_kind(origin).values():
            days.extend(kind_days)
            died.extend(kind_died)
        return days, died

    def curves(self, origin: str, min_subjects: int) -> list[KindCurve]:
        """Kaplan-Meier over every link, then one curve per kind that has `min_subjects` lifetimes of its own.

        A web page, DOI or short link dies as a repository does: at the first
        check that found it authoritatively gone (`gone` is `missing`); an
        unreachable one says nothing and is left out.
        """
        days, died = self.observed(origin)
        curves = [KindCurve(ALL_LINKS, len(days), kaplan_meier(days, died))]
        by_kind = self.by_kind(origin)
        if len(by_kind) < 2:
            return curves  # one kind: its curve is the one already drawn
        for kind, (kind_days, kind_died) in by_kind.items():
            if len(kind_days) >= min_subjects:
                curves.append(KindCurve(kind, len(kind_days), kaplan_meier(kind_days, kind_died)))
        return curves


def survival_by_kind(entries: Sequence[RepoEntry], origin: str, min_subjects: int) -> list[KindCurve]:
    """`LifetimeTally.curves` of `entries` on the clock `origin`."""
    tally = LifetimeTally(origins=(origin,))
    for entry in entries:
        tally.add(entry)
    return tally.curves(origin, min_subjects)
