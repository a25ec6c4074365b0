"""The stand-in GitHub itself: the shapes and rules other tests rely on."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import requests
from clocks import EpochClock
from standin_github import Fault, StandinGitHub


def test_answers_carry_githubs_headers_and_304_costs_nothing():
    with StandinGitHub() as server:
        server.add_repo("lab/a", license="BSD-3-Clause", topics=["x"])
        first = requests.get(f"{server.url}/repos/lab/a", timeout=5)
        again = requests.get(f"{server.url}/repos/lab/a", timeout=5,
                             headers={"If-None-Match": first.headers["ETag"]})
        since = requests.get(f"{server.url}/repos/lab/a", timeout=5,
                             headers={"If-Modified-Since": first.headers["Last-Modified"]})

    body = first.json()
    assert first.status_code == 200
    assert body["full_name"] == "lab/a" and body["owner"]["login"] == "lab"
    assert body["license"] == {"key": "bsd-3-clause", "name": 'BSD 3-Clause "New" or "Revised" License',
                               "spdx_id": "BSD-3-Clause", "url": f"{server.url}/licenses/bsd-3-clause",
                               "node_id": "MDc6TGljZW5zZTA="}
    for header in ("X-RateLimit-Limit", "X-RateLimit-Reset", "X-RateLimit-Used",
                   "X-RateLimit-Resource", "X-GitHub-Request-Id", "Last-Modified"):
        assert header in first.headers
    assert (again.status_code, again.content) == (304, b"")
    assert since.status_code == 304
    # Without a token a 304 costs as any answer: GitHub waives it for authorized requests only.
    assert (first.headers["X-RateLimit-Remaining"], again.headers["X-RateLimit-Remaining"]) == ("4999", "4998")
    assert (server.total, server.rate_counted) == (3, 3)


def test_a_304_is_free_only_for_an_authorized_request():
    with StandinGitHub(token="t0ken") as server:
        server.add_repo("lab/a")
        auth = {"Authorization": "token t0ken"}
        first = requests.get(f"{server.url}/repos/lab/a", timeout=5, headers=auth)
        again = requests.get(f"{server.url}/repos/lab/a", timeout=5,
                             headers={**auth, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert first.headers["X-RateLimit-Remaining"] == again.headers["X-RateLimit-Remaining"] == "4999"
    assert server.rate_counted == 1


def test_tags_are_listed_by_name_greatest_first_as_github_lists_them():
    with StandinGitHub() as server:
        server.add_repo("lab/a", tags=["v1.10", "weekly", "v0.9", "v1.2"])
        names = [tag["name"] for tag in requests.get(f"{server.url}/repos/lab/a/tags", timeout=5).json()]
    assert names == ["weekly", "v1.2", "v1.10", "v0.9"]


def test_renames_redirect_through_repositories_id_even_twice():
    with StandinGitHub() as server:
        server.add_repo("a/one", id=42)
        server.rename("a/one", "b/two")
        server.rename("b/two", "c/three")
        moved = requests.get(f"{server.url}/repos/a/one/tags", timeout=5, allow_redirects=False)
        followed = requests.get(f"{server.url}/repos/b/two", timeout=5)

    assert moved.status_code == 301
    assert moved.headers["Location"] == f"{server.url}/repositories/42/tags"
    assert moved.json()["message"] == "Moved Permanently"
    assert followed.json()["full_name"] == "c/three"


def test_gone_repositories_answer_with_githubs_error_bodies():
    with StandinGitHub() as server:
        server.add_repo("lab/dmca", answer=451)
        server.add_repo("lab/empty", empty=True)
        dmca = requests.get(f"{server.url}/repos/lab/dmca", timeout=5)
        empty = requests.get(f"{server.url}/repos/lab/empty/commits", timeout=5)
        none = requests.get(f"{server.url}/repos/lab/nothing", timeout=5)

    assert dmca.status_code == 451
    assert dmca.json()["message"] == "Repository access blocked"
    assert dmca.json()["block"]["reason"] == "dmca"
    assert (empty.status_code, empty.json()["message"]) == (409, "Git Repository is empty.")
    assert none.status_code == 404 and set(none.json()) >= {"message", "documentation_url"}


def test_spent_budget_answers_403_until_the_servers_clock_passes_reset():
    clock = EpochClock()
    with StandinGitHub(clock=clock) as server:
        server.add_repo("lab/a")
        server.exhaust_rate_limit(reset_at=clock.now + 60)
        limited = requests.get(f"{server.url}/repos/lab/a", timeout=5)
        clock.now += 61
        after = requests.get(f"{server.url}/repos/lab/a", timeout=5)

    assert limited.status_code == 403
    assert limited.json()["message"].startswith("API rate limit exceeded")
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    assert limited.headers["X-RateLimit-Reset"] == str(int(1_750_000_060))
    assert after.status_code == 200


def test_faults_apply_the_given_number_of_times():
    with StandinGitHub() as server:
        server.add_repo("lab/a")
        server.inject(Fault("status", status=502, times=2, path="/repos/lab/a"))
        statuses = [requests.get(f"{server.url}/repos/lab/a", timeout=5).status_code for _ in range(3)]
        other = requests.get(f"{server.url}/rate_limit", timeout=5)

    assert statuses == [502, 502, 200]
    assert other.status_code == 200 and other.json()["resources"]["core"]["limit"] == 5000


def test_latency_delays_every_answer():
    with StandinGitHub(latency=0.05) as server:
        server.add_repo("lab/a")
        answer = requests.get(f"{server.url}/repos/lab/a", timeout=5)
        held = server.holding.is_set()
    assert answer.status_code == 200 and held  # the answer was held back before it was given


def test_stop_ends_hanging_and_idle_connections_at_once():
    server = StandinGitHub(max_hold=30.0).start()
    server.add_repo("lab/a")
    server.inject(Fault("hang", times=None, path="/repos/lab/hang"))
    idle = requests.Session()
    assert idle.get(f"{server.url}/repos/lab/a", timeout=5).status_code == 200  # kept alive
    hanging = socket.create_connection(("127.0.0.1", server.port))
    hanging.sendall(b"GET /repos/lab/hang HTTP/1.1\r\nHost: x\r\n\r\n")
    assert server.holding.wait(5)

    server.stop()

    hanging.settimeout(2)
    assert hanging.recv(100) == b""  # closed without an answer
    assert not any(thread.is_alive() for thread in server._handlers)
    hanging.close()
    idle.close()


def test_runs_from_the_command_line_with_a_spec(tmp_path: Path):
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"repos": [{"full_name": "lab/a", "stars": 5}, {"full_name": "lab/b"}],
                                "renames": [["lab/b", "lab/c"]]}))
    script = Path(__file__).with_name("standin_github.py")
    process = subprocess.Popen([sys.executable, str(script), "--port", "0", "--spec", str(spec)],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        api_url = line.strip().rsplit(" ", 1)[-1]
        answer = requests.get(f"{api_url}/repos/lab/a", timeout=5)
        moved = requests.get(f"{api_url}/repos/lab/b", timeout=5)
    finally:
        process.terminate()
        process.wait(timeout=5)
    assert line.startswith("stand-in GitHub API at http://127.0.0.1:")
    assert answer.json()["stargazers_count"] == 5
    assert moved.json()["full_name"] == "lab/c"
