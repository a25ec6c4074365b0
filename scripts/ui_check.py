"""`make ui-check`: the Prefect UI shows a real run's `repro-status` table.

Starts a Prefect server on a free port (its home in a temporary folder), runs
`track` twice against a stand-in world (the GitHub stand-in and local git
repositories from tests/, and a web stand-in for the papers' pages, DOIs and
short links, reached as an HTTP proxy with their names resolved here: nothing
leaves 127.0.0.1) so the table shows changes and every kind of link,
then has headless Chromium screenshot the artifact's page into
docs/prefect-artifact-table.png. Exits non-zero when any step fails.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
SCREENSHOT = ROOT / "docs" / "prefect-artifact-table.png"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars", "--window-size=1900,900", "--virtual-time-budget=15000",
]
PAPERS = [
    ("Learning to See in the Dark", "Code and trained models at https://github.com/acme/seeing."),
    ("Bare Bones Baselines", "Our code: https://github.com/acme/bare-bones"),
    ("Diffusion for Tables", "Implementation: https://github.com/lab/tabular-diffusion"),
    ("A Blocked Replication", "Replication package: https://github.com/lab/replication"),
    ("Old but Gold", "Archived code at https://github.com/lab/old-gold"),
    ("Renamed Research", "Code at https://github.com/lab/first-name"),
    ("Tiny Experts", "Code will be made publicly available upon acceptance."),
    ("Pages of a Project", "Project page: http://lab.example.org/project ; demo: http://lab.example.org/demo ."),
    ("Deposited Data", "Data and code: https://doi.org/10.5281/zenodo.42 and http://bit.ly/lab-code ."),
]
WEB_HOSTS = {"lab.example.org", "bit.ly", "github.com"}
ZENODO_RECORD = {"id": 42, "doi": "10.5281/zenodo.42", "metadata": {
    "title": "Data for the paper", "version": "v1", "relations": {"version": [{"index": 1, "count": 1}]}},
    "files": [{"key": "data-v1.zip", "size": 1024}]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(url: str, server: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"prefect server exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)  # the server is still starting
    raise SystemExit(f"prefect server did not answer at {url} within {timeout:.0f} s")


def build_world(work: Path) -> tuple[object, Path]:
    """The stand-in GitHub and routed git repositories behind the papers' links."""
    from gitrepos import minimal_repo, ml_repo, routing_config
    from standin_github import StandinGitHub

    repos = work / "repos"
    ml_repo(repos, "github.com/acme/seeing")
    ml_repo(repos, "github.com/lab/tabular-diffusion", license="Apache-2.0")
    minimal_repo(repos, "github.com/acme/bare-bones")
    ml_repo(repos, "github.com/lab/old-gold", license=None)
    ml_repo(repos, "github.com/lab/second-name")
    os.environ["GIT_CONFIG_GLOBAL"] = str(routing_config(work, repos))
    github = StandinGitHub().start()
    github.add_repo("acme/seeing", license="MIT", stars=420)
    github.add_repo("acme/bare-bones", license=None)
    github.add_repo("lab/tabular-diffusion", license="Apache-2.0")
    github.add_repo("lab/replication", answer=451)
    github.add_repo("lab/old-gold", license=None, archived=True)
    github.add_repo("lab/first-name")
    os.environ["GITHUB_API_URL"] = github.api_url
    source = work / "papers.jsonl"
    source.write_text("".join(json.dumps({"id": f"p{i}", "title": t, "abstract": a}) + "\n"
                              for i, (t, a) in enumerate(PAPERS)))
    return github, source


def build_web(web: Any) -> None:
    """Pages, a Zenodo record and a short link to a repository, answered by the web stand-in; names resolve
    only for its hosts, to a public address (as a real page's would), so the web checker asks the proxy."""
    from tracker.artifacts import web as web_module

    def resolve(host: str) -> list[str]:
        if host not in WEB_HOSTS:
            raise web_module.NameNotResolved(f"{host} does not resolve (the ui-check world knows no such name)")
        return ["93.184.216.34"]

    web_module.resolve_host = resolve  # type: ignore[assignment]
    page = "<html><head><title>{}</title></head><body>The project: code, models and data.</body></html>"
    web.answer("http://lab.example.org/project", 200, page.format("Project"), Content_Type="text/html",
               ETag='"p1"')
    web.answer("http://lab.example.org/demo", 200, page.format("Demo"), Content_Type="text/html")
    web.answer("http://bit.ly/lab-code", 301, Location="http://github.com/acme/seeing")
    web.answer("http://github.com/acme/seeing", 200, page.format("acme/seeing"), Content_Type="text/html")
    web.answer("/records/42", 200, json.dumps(ZENODO_RECORD), Content_Type="application/json")
    url = web.url.rstrip("/")
    os.environ.update(HTTP_PROXY=url, NO_PROXY="127.0.0.1,localhost", DOI_RESOLVER_URL=web.url,
                      ZENODO_API_URL=web.url, HF_ENDPOINT=url)


def screenshot(url: str, target: Path, work: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("headless Chromium is needed: apt-get install -y chromium")
    target.parent.mkdir(parents=True, exist_ok=True)
    profile = work / "chromium-profile"
    subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--screenshot={target}", url],
                   check=True, timeout=120, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not target.exists() or target.stat().st_size < 10_000:
        raise SystemExit(f"the screenshot at {target} is missing or blank")


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="ui-check-"))
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    os.environ.update(PREFECT_HOME=str(work / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1",
                      PREFECT_API_URL=api_url, PREFECT_UI_API_URL=api_url, REPRO_TRACKER_HOME=str(work / "home"),
                      GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0")
    os.environ.pop("GITHUB_TOKEN", None)
    os.environ.pop("REPRO_TRACKER_DATABASE_URL", None)
    server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                               "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    github = None
    from standin_http import scripted_service

    web_world = scripted_service()
    web = web_world.__enter__()
    try:
        wait_healthy(api_url, server)
        github, source = build_world(work)
        build_web(web)
        from flows.track import track

        database_url = f"sqlite:///{work / 'tracker.db'}"
        track(sources=[str(source)], database_url=database_url, report_dir=str(work / "reports"))
        # What changes between two runs is what the table's last column is for.
        github.delete("acme/bare-bones")
        github.rename("lab/first-name", "lab/second-name")
        web.answers["http://lab.example.org/demo"].clear()
        web.answer("http://lab.example.org/demo", 404, "Not Found", Content_Type="text/plain")
        track(sources=[str(source)], database_url=database_url, report_dir=str(work / "reports"))
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

        with get_client(sync_client=True) as client:
            [artifact] = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["repro-status"])),
                                               sort="CREATED_DESC", limit=1)
        page = f"http://127.0.0.1:{port}/artifacts/artifact/{artifact.id}"
        screenshot(page, SCREENSHOT, work)
        print(f"Prefect UI: {page}\nscreenshot: {SCREENSHOT.relative_to(ROOT)}")
    finally:
        if github is not None:
            github.stop()
        web_world.__exit__(None, None, None)
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
