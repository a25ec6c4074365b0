"""GitHubHost against the stand-in GitHub: real PyGithub, real HTTP on 127.0.0.1.

A fake clock is shared by the client and the server; the client's injected
sleep advances it, so rate-limit waits are checked to the second and no test
sleeps for real. Faults that need real time (timeouts) use 0.3 s timeouts.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from clocks import EpochClock
from standin_github import Fault, StandinGitHub

from tracker.hosts import github as github_module
from tracker.hosts.github import GitHubHost, classify_error, rate_limit_wait
from tracker.http import MemoryCache
from tracker.records import LicenseFinding, RepoRef, Status
from tracker.settings import Settings

TOKEN = "ghp_Secr3tTestToken0123456789abcdefABCDEF"
START = 1_750_000_000.0


@pytest.fixture
def clock() -> EpochClock:
    return EpochClock(START)


@pytest.fixture
def server(clock: EpochClock) -> Iterator[StandinGitHub]:
    with StandinGitHub(clock=clock, token=TOKEN, max_hold=3.0) as standin:
        yield standin


@pytest.fixture
def make_host(server: StandinGitHub, clock: EpochClock) -> Iterator[Callable[..., GitHubHost]]:
    hosts: list[GitHubHost] = []

    def make(**options: object) -> GitHubHost:
        settings: dict[str, object] = dict(api_url=server.api_url, token=TOKEN, timeout=0.3,
                                           max_rate_wait=120.0, answer_cache=MemoryCache(),
                                           sleep=clock.sleep, clock=clock)
        settings.update(options)
        host = GitHubHost(**settings)  # type: ignore[arg-type]
        hosts.append(host)
        return host

    yield make
    for host in hosts:
        host.close()


def ref(full_name: str) -> RepoRef:
    owner, name = full_name.split("/")
    return RepoRef("github.com", owner, name)


# -- authoritative answers ---------------------------------------------------------


def test_live_repository_gives_ok_with_metadata_in_three_counted_requests(server, make_host):
    server.add_repo(
        "lab/model", description="Code for the paper.", homepage="https://lab.example/model",
        stars=321, forks=12, open_issues=4, topics=["nlp", "ml"], language="Python",
        license="Apache-2.0", fork_parent="origin/model",
        releases=[{"tag_name": "v1.0", "name": "First", "published_at": "2024-02-01T12:00:00Z"},
                  {"tag_name": "v1.1", "name": "", "published_at": "2024-03-01T12:00:00Z"},
                  {"tag_name": "v2-rc", "name": "RC", "published_at": "2024-04-01T12:00:00Z",
                   "prerelease": True}],
    )
    host = make_host()

    facts = host.check(ref("lab/model"))

    assert facts.status is Status.OK
    assert facts.http_status == 200
    assert facts.detail == "GitHub answered 200 for /repos/lab/model"
    meta = facts.metadata
    assert meta is not None
    assert (meta.stars, meta.forks, meta.open_issues) == (321, 12, 4)
    assert meta.description == "Code for the paper."
    assert meta.homepage == "https://lab.example/model"
    assert meta.default_branch == "main"
    assert meta.created_at == datetime(2022, 3, 1, 10, tzinfo=UTC)
    assert meta.pushed_at == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert meta.fork_parent == "origin/model"
    assert meta.topics == ("nlp", "ml")
    assert meta.language == "Python"
    assert meta.license_spdx == "Apache-2.0"
    # The newest published, non-prerelease release; an empty name falls back to the tag.
    assert meta.latest_release == "v1.1"
    assert meta.latest_release_at == datetime(2024, 3, 1, 12, tzinfo=UTC)
    assert facts.licenses == (LicenseFinding("Apache-2.0", 1.0, "api"),)
    assert facts.checked_at == datetime.fromtimestamp(START, UTC)
    assert server.paths() == ["/repos/lab/model", "/repos/lab/model/releases/latest"]
    assert server.rate_counted <= 3
    assert host.stats.requests_made == server.total
    assert host.stats.requests_rate_counted == server.rate_counted
    assert host.stats.rate_remaining == server.rate_remaining


def test_without_a_release_the_newest_tag_is_reported(server, make_host):
    server.add_repo("lab/tags", tags=["v0.3", "v0.2"], license="NOASSERTION")
    host = make_host()

    facts = host.check(ref("lab/tags"))

    assert facts.status is Status.OK
    assert facts.metadata is not None
    assert facts.metadata.latest_release == "v0.3"
    assert facts.metadata.latest_release_at is None
    assert facts.metadata.license_spdx == "NOASSERTION"
    assert facts.licenses == (LicenseFinding(None, 1.0, "api"),)
    assert server.paths() == ["/repos/lab/tags", "/repos/lab/tags/releases/latest", "/repos/lab/tags/tags"]
    assert server.rate_counted == 3


def test_renamed_repository_is_moved_with_the_new_ones_metadata(server, make_host):
    server.add_repo("old-owner/tool", stars=7)
    server.rename("old-owner/tool", "new-owner/tool2")
    server.update("new-owner/tool2", stars=8)
    host = make_host()

    facts = host.check(ref("old-owner/tool"))

    assert facts.status is Status.MOVED
    assert facts.moved_to == RepoRef("github.com", "new-owner", "tool2")
    assert facts.detail == "renamed to github.com/new-owner/tool2 (301)"
    assert facts.http_status == 301
    assert facts.metadata is not None and facts.metadata.stars == 8
    assert server.requests[0].status == 301
    assert server.requests[1].path.startswith("/repositories/")
    # Later requests go to the new name directly, not through the redirect.
    assert "/repos/new-owner/tool2/releases/latest" in server.paths()
    assert host.stats.requests_made == server.total


def test_case_difference_is_not_a_move(server, make_host):
    server.add_repo("Lab/Model")
    facts = make_host().check(ref("lab/model"))
    assert facts.status is Status.OK
    assert facts.moved_to is None


@pytest.mark.parametrize("answer", [404, 410])
def test_deleted_repository_is_missing(server, make_host, answer):
    server.add_repo("lab/gone")
    server.delete("lab/gone", answer=answer)

    facts = make_host().check(ref("lab/gone"))

    assert facts.status is Status.MISSING
    assert facts.http_status == answer
    assert facts.detail.startswith(f"GitHub answered {answer} ")
    assert facts.detail.endswith("for /repos/lab/gone")
    assert facts.metadata is None


def test_never_existing_repository_is_missing(make_host):
    facts = make_host().check(ref("nobody/nothing"))
    assert facts.status is Status.MISSING
    assert facts.detail == "GitHub answered 404 Not Found for /repos/nobody/nothing"


def test_dmca_takedown_is_blocked(server, make_host):
    server.add_repo("lab/taken", answer=451, block_reason="dmca")

    facts = make_host().check(ref("lab/taken"))

    assert facts.status is Status.BLOCKED
    assert facts.http_status == 451
    assert "451 Repository access blocked" in facts.detail
    assert "reason: dmca" in facts.detail and "github.com/github/dmca" in facts.detail


def test_access_blocked_403_is_disabled_and_disabled_flag_too(server, make_host):
    server.add_repo("lab/tos", answer=403, block_reason="tos")
    server.add_repo("lab/off", disabled=True)
    host = make_host()

    blocked = host.check(ref("lab/tos"))
    flagged = host.check(ref("lab/off"))

    assert blocked.status is Status.DISABLED
    assert "403 Repository access blocked" in blocked.detail and "reason: tos" in blocked.detail
    assert flagged.status is Status.DISABLED
    assert flagged.detail == "GitHub reports github.com/lab/off as disabled"


def test_archived_repository(server, make_host):
    server.add_repo("lab/old", archived=True)
    facts = make_host().check(ref("lab/old"))
    assert facts.status is Status.ARCHIVED
    assert facts.metadata is not None and facts.metadata.stars == 10


def test_archived_after_rename_keeps_both_facts(server, make_host):
    server.add_repo("lab/a", archived=True)
    server.rename("lab/a", "lab/b")
    facts = make_host().check(ref("lab/a"))
    assert facts.status is Status.ARCHIVED
    assert facts.moved_to == ref("lab/b")
    assert facts.detail.endswith("; renamed to github.com/lab/b (301)")


def test_empty_repository_asks_commits_only_when_size_is_zero(server, make_host):
    server.add_repo("lab/empty", empty=True)
    server.add_repo("lab/new", size=0)  # GitHub has not computed the size yet
    host = make_host()

    empty = host.check(ref("lab/empty"))
    assert empty.status is Status.EMPTY
    assert "409" in empty.detail
    assert server.paths() == ["/repos/lab/empty", "/repos/lab/empty/commits"]

    server.clear_log()
    assert host.check(ref("lab/new")).status is Status.OK
    assert server.paths()[:2] == ["/repos/lab/new", "/repos/lab/new/commits"]


# -- conditional requests ------------------------------------------------------------


def test_unchanged_repository_costs_no_rate_limit_the_second_time(server, make_host):
    server.add_repo("lab/stable", tags=["v1"])  # no release: its 404 must not be asked again
    server.add_repo("lab/released", releases=[{"tag_name": "v3", "published_at": "2024-01-01T00:00:00Z"}])
    server.add_repo("lab/empty", empty=True)
    host = make_host()
    first = {name: host.check(ref(name)) for name in ("lab/stable", "lab/released", "lab/empty")}
    counted_before = server.rate_counted
    remaining_before = server.rate_remaining

    second = {name: host.check(ref(name)) for name in first}

    assert server.rate_counted == counted_before
    assert server.rate_remaining == remaining_before
    for name, facts in second.items():
        assert facts.status is first[name].status
        assert facts.metadata == first[name].metadata
        assert facts.http_status == 304
    assert second["lab/stable"].detail == "GitHub answered 304 Not Modified for /repos/lab/stable"
    rechecks = server.requests[-3:]
    assert [r.path for r in rechecks] == ["/repos/lab/stable", "/repos/lab/released", "/repos/lab/empty"]
    assert all(r.conditional and r.status == 304 for r in rechecks)
    assert host.stats.requests_rate_counted == server.rate_counted


def test_changed_repository_is_read_again(server, make_host):
    server.add_repo("lab/live", stars=1)
    host = make_host()
    host.check(ref("lab/live"))

    server.push("lab/live", "2025-01-01T00:00:00Z")
    server.update("lab/live", license="GPL-3.0", tags=["v9"])
    facts = host.check(ref("lab/live"))

    assert facts.status is Status.OK and facts.http_status == 200
    assert facts.metadata is not None
    assert facts.metadata.pushed_at == datetime(2025, 1, 1, tzinfo=UTC)
    assert facts.metadata.license_spdx == "GPL-3.0"
    assert facts.metadata.latest_release == "v9"


def test_answers_live_in_the_given_cache_keyed_by_path(server, make_host):
    server.add_repo("lab/cached")
    cache = MemoryCache()
    make_host(answer_cache=cache).check(ref("lab/cached"))

    # A new host (a new run) with the same cache sends the stored validators.
    server.clear_log()
    facts = make_host(answer_cache=cache).check(ref("lab/cached"))

    assert facts.http_status == 304
    assert server.rate_counted == 0
    stored = cache.get("/repos/lab/cached")
    assert stored is not None and stored.etag and stored.etag.startswith('W/"')


def test_moved_repository_recheck_revalidates_through_the_redirect(server, make_host):
    server.add_repo("lab/x")
    server.rename("lab/x", "lab/y")
    host = make_host()
    host.check(ref("lab/x"))
    server.clear_log()

    facts = host.check(ref("lab/x"))

    assert facts.status is Status.MOVED
    assert [r.status for r in server.requests] == [301, 304]
    assert host.stats.requests_made == 4 + 2


# -- rate limits -------------------------------------------------------------------


def test_rate_limit_beyond_max_wait_gives_not_checked_and_stops_asking(server, make_host, clock):
    server.add_repo("lab/a")
    server.add_repo("lab/b")
    server.exhaust_rate_limit(reset_at=clock.now + 3000)
    host = make_host(max_rate_wait=120)

    first = host.check(ref("lab/a"))
    asked = server.total
    later = [host.check(ref("lab/b")), host.check(ref("lab/a"))]

    assert first.status is Status.NOT_CHECKED
    assert "primary rate limit" in first.detail and "120 s" in first.detail
    assert asked == 1
    assert all(facts.status is Status.NOT_CHECKED for facts in later)
    assert server.total == asked  # no further request
    assert clock.slept == []
    assert host.stats.rate_remaining == 0
    assert host.stats.rate_reset == datetime.fromtimestamp(int(START + 3000), UTC)


def test_rate_limit_within_max_wait_sleeps_until_reset(server, make_host, clock):
    server.add_repo("lab/a", releases=[{"tag_name": "v1", "published_at": "2024-01-01T00:00:00Z"}])
    server.exhaust_rate_limit(reset_at=clock.now + 30)
    host = make_host(max_rate_wait=120)

    facts = host.check(ref("lab/a"))

    assert facts.status is Status.OK
    assert clock.slept == [31.0]  # reset - now, plus the second the reset falls within
    assert [r.status for r in server.requests] == [403, 200, 200]


def test_spent_budget_waits_before_asking_not_after_a_403(server, make_host, clock):
    server.add_repo("lab/a")
    server.rate_remaining = 1
    server.rate_reset = int(clock.now) + 50
    host = make_host(max_rate_wait=120)

    facts = host.check(ref("lab/a"))

    # The repo answer spent the last request; the release lookup waited for the reset.
    assert facts.status is Status.OK
    assert clock.slept == [51.0]
    assert [r.status for r in server.requests] == [200, 404, 200]


@pytest.mark.parametrize("status", [403, 429])
def test_secondary_limit_honours_retry_after(server, make_host, clock, status):
    server.add_repo("lab/a")
    server.inject(Fault("secondary", status=status, seconds=17, path="/repos/lab/a"))

    facts = make_host().check(ref("lab/a"))

    assert facts.status is Status.OK
    assert clock.slept == [17.0]
    assert server.requests[0].status == status


def test_secondary_limit_without_retry_after_waits_a_minute(server, make_host, clock):
    server.add_repo("lab/a")
    server.inject(Fault("secondary", status=403, seconds=0))
    assert make_host().check(ref("lab/a")).status is Status.OK
    assert clock.slept == [60.0]


def test_secondary_limit_longer_than_max_wait_gives_not_checked(server, make_host, clock):
    server.add_repo("lab/a")
    server.inject(Fault("secondary", status=429, seconds=900, times=None))
    host = make_host(max_rate_wait=120)

    facts = host.check(ref("lab/a"))
    again = host.check(ref("lab/a"))

    assert facts.status is Status.NOT_CHECKED and again.status is Status.NOT_CHECKED
    assert "secondary rate limit" in facts.detail
    assert server.total == 1
    assert clock.slept == []


# -- faults are never evidence -------------------------------------------------------


def test_server_error_then_success(server, make_host, clock):
    server.add_repo("lab/a")
    server.inject(Fault("status", status=502, times=1, path="/repos/lab/a"))
    host = make_host(backoff=0.5)

    facts = host.check(ref("lab/a"))

    assert facts.status is Status.OK
    assert [r.status for r in server.requests[:2]] == [502, 200]
    assert host.stats.requests_made == server.total


def test_persistent_server_error_is_unreachable_after_bounded_attempts(server, make_host, clock):
    server.add_repo("lab/a")
    server.inject(Fault("status", status=503, times=None))
    host = make_host(attempts=3, backoff=0.5)

    facts = host.check(ref("lab/a"))

    assert facts.status is Status.UNREACHABLE
    assert facts.detail == "GitHub answered 503 Service Unavailable for /repos/lab/a after 3 attempts"
    assert server.total == 3
    assert clock.slept == [1.0]  # urllib3 backoff: none before the 2nd try, 2 x 0.5 before the 3rd
    assert host.stats.requests_made == 3 and host.stats.requests_rate_counted == 3


def test_refused_connection_is_unreachable(clock):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends: nothing listens
    host = GitHubHost(f"http://127.0.0.1:{port}", TOKEN, timeout=0.3, sleep=clock.sleep, clock=clock)

    facts = host.check(ref("lab/a"))

    assert facts.status is Status.UNREACHABLE
    assert facts.detail == f"connection to 127.0.0.1:{port} refused after 3 attempts"
    assert host.stats.requests_made == 3


def test_slow_answer_past_the_timeout_is_unreachable(server, make_host):
    server.add_repo("lab/a")
    server.inject(Fault("slow", seconds=2.0, times=None))

    facts = make_host(timeout=0.2, attempts=2).check(ref("lab/a"))

    assert facts.status is Status.UNREACHABLE
    assert facts.detail == "GitHub did not answer /repos/lab/a within 0.2 s after 2 attempts"


def test_slow_answer_once_then_retried(server, make_host):
    server.add_repo("lab/a")
    server.inject(Fault("slow", seconds=1.0, times=1))
    facts = make_host(timeout=0.2).check(ref("lab/a"))
    assert facts.status is Status.OK


def test_never_answered_connection_is_unreachable_in_bounded_time(server, make_host):
    server.add_repo("lab/a")
    server.inject(Fault("hang", times=None))

    facts = make_host(timeout=0.2).check(ref("lab/a"))

    assert facts.status is Status.UNREACHABLE
    assert "did not answer" in facts.detail


def test_connection_reset_mid_answer_is_unreachable(server, make_host):
    server.add_repo("lab/a")
    server.inject(Fault("reset", times=None))

    facts = make_host().check(ref("lab/a"))

    assert facts.status is Status.UNREACHABLE
    assert "broke mid-answer for /repos/lab/a" in facts.detail


def test_malformed_json_is_unreachable(server, make_host):
    server.add_repo("lab/a")
    server.inject(Fault("malformed", path="/repos/lab/a"))
    facts = make_host().check(ref("lab/a"))
    assert facts.status is Status.UNREACHABLE
    assert "malformed JSON" in facts.detail


def test_bad_credentials_are_our_side(server, make_host):
    server.add_repo("lab/a")
    facts = make_host(token="ghp_wrongWrongWrong").check(ref("lab/a"))
    assert facts.status is Status.UNREACHABLE
    assert "401 Bad credentials" in facts.detail and "GITHUB_TOKEN" in facts.detail
    assert "ghp_wrongWrongWrong" not in facts.detail


def test_forbidden_that_is_not_a_block_or_limit_is_unreachable(server, make_host):
    server.add_repo("lab/a")
    server.inject(Fault("status", status=403, path="/repos/lab/a"))
    facts = make_host().check(ref("lab/a"))
    assert facts.status is Status.UNREACHABLE
    assert "not evidence about the repository" in facts.detail


def test_release_lookup_failing_keeps_the_repository_status(server, make_host):
    server.add_repo("lab/a")
    server.inject(Fault("status", status=500, times=None, path="/repos/lab/a/releases"))
    facts = make_host(attempts=1).check(ref("lab/a"))
    assert facts.status is Status.OK
    assert facts.metadata is not None and facts.metadata.latest_release is None
    assert "latest release unknown" in facts.detail


# -- configuration and secrets -------------------------------------------------------


def test_enterprise_api_prefix(clock):
    with StandinGitHub(prefix="/api/v3", clock=clock) as enterprise:
        enterprise.add_repo("team/tool")
        enterprise.add_repo("team/old")
        enterprise.rename("team/old", "team/new")
        host = GitHubHost(enterprise.api_url, TOKEN, timeout=0.3, sleep=clock.sleep, clock=clock)
        ghe = RepoRef("git.example.org", "team", "tool")

        facts = host.check(ghe)
        moved = host.check(RepoRef("git.example.org", "team", "old"))

        assert facts.status is Status.OK
        assert enterprise.paths()[0] == "/api/v3/repos/team/tool"
        assert moved.moved_to == RepoRef("git.example.org", "team", "new")


def test_from_settings_reads_url_and_token(server, clock, monkeypatch):
    server.add_repo("lab/a")
    settings = Settings(github_api_url=server.api_url, github_token=TOKEN)
    host = GitHubHost.from_settings(settings, timeout=0.3, sleep=clock.sleep, clock=clock)
    assert host.api_url == server.api_url
    assert host.check(ref("lab/a")).status is Status.OK
    assert server.requests[0].authorized
    monkeypatch.delenv("GITHUB_API_URL")  # Settings reads the environment; without the variable, GitHub itself
    assert GitHubHost.from_settings(Settings()).api_url == "https://api.github.com"


def test_missing_token_is_said_once(monkeypatch, caplog):
    monkeypatch.setattr(github_module, "_no_token_warned", False)
    with caplog.at_level(logging.WARNING, logger="tracker.hosts.github"):
        GitHubHost()
        GitHubHost()
    warnings = [r for r in caplog.records if "GITHUB_TOKEN" in r.getMessage()]
    assert len(warnings) == 1
    assert "60" in warnings[0].getMessage()


def test_token_never_leaks(server, make_host, clock, caplog):
    server.add_repo("lab/a")
    server.add_repo("lab/b")
    server.add_repo("lab/old")
    server.rename("lab/old", "lab/new")
    server.inject(Fault("status", status=502, times=None, path="/repos/lab/b"))
    server.inject(Fault("reset", times=1, path="/repos/lab/a"))
    cache = MemoryCache()
    texts: list[str] = []
    with caplog.at_level(logging.DEBUG):
        host = make_host(answer_cache=cache)
        texts.append(repr(host))
        for name in ("lab/a", "lab/a", "lab/b", "lab/old", "lab/a"):
            facts = host.check(ref(name))
            texts += [facts.detail, repr(facts)]
        bad = make_host(token=TOKEN + "x")  # 401: the secret is one they hold too
        texts.append(bad.check(ref("lab/a")).detail)
        server.exhaust_rate_limit(clock.now + 9999)
        texts.append(host.check(ref("lab/new")).detail)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        closed = make_host(api_url=f"http://127.0.0.1:{port}")
        texts.append(closed.check(ref("lab/a")).detail)
    texts += [record.getMessage() for record in caplog.records]
    texts += [f"{key} {answer}" for key, answer in cache.entries.items()]

    assert server.requests[0].authorized  # the token was in use
    assert any("DEBUG" == record.levelname for record in caplog.records)  # PyGithub/urllib3 logged
    assert all(TOKEN not in text for text in texts)


# -- pure pieces ------------------------------------------------------------------------


def test_rate_limit_wait_follows_githubs_order():
    now = 1000.0
    assert rate_limit_wait(200, {}, "{}", now) is None
    assert rate_limit_wait(403, {"retry-after": "5", "x-ratelimit-remaining": "0",
                                 "x-ratelimit-reset": "2000"}, "{}", now) == 5.0
    assert rate_limit_wait(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1010"}, "{}", now) == 11.0
    assert rate_limit_wait(403, {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "900"}, "{}", now) == 1.0
    secondary = '{"message": "You have exceeded a secondary rate limit."}'
    assert rate_limit_wait(403, {"x-ratelimit-remaining": "12"}, secondary, now) == 60.0
    assert rate_limit_wait(403, {}, '{"message": "Repository access blocked"}', now) is None


def test_classify_error_only_trusts_authoritative_answers():
    assert classify_error(404, '{"message": "Not Found"}', "/repos/a/b")[0] is Status.MISSING
    dmca403 = '{"message": "Repository access blocked", "block": {"reason": "dmca"}}'
    assert classify_error(403, dmca403, "/repos/a/b")[0] is Status.BLOCKED
    for status, body in [(401, '{"message": "Bad credentials"}'), (500, "oops"), (403, "<html>"),
                         (400, "{}"), (422, '{"message": "Validation Failed"}')]:
        assert classify_error(status, body, "/repos/a/b")[0] is Status.UNREACHABLE


def test_one_host_checks_many_repositories_from_many_threads(clock):
    from concurrent.futures import ThreadPoolExecutor

    with StandinGitHub(clock=clock, latency=0.05) as server:
        names = [f"lab/repo{i}" for i in range(24)]
        for number, name in enumerate(names):
            server.add_repo(name, stars=number, tags=["v1"] if number % 2 else [])
        host = GitHubHost(server.api_url, TOKEN, timeout=2, sleep=clock.sleep, clock=clock)
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(host.check, [ref(name) for name in names]))
        host.close()

    assert [facts.status for facts in results] == [Status.OK] * len(names)
    assert [facts.metadata.stars for facts in results if facts.metadata] == list(range(len(names)))
    assert host.stats.requests_made == server.total == 3 * len(names)
    assert host.stats.requests_rate_counted == server.rate_counted
    # Several answers were held back at once: the threads really shared the host.
    assert server.peak_in_flight > 1
