"""The `track` flow reading sources beside a file: each its own task, a source that fails named, the others kept."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from standin_http import scripted_service
from standin_sources import ArxivPaper, api_query, hf_daily, hf_daily_path

from tracker.store import open_store

pytest_plugins = ["prefect_support"]

if TYPE_CHECKING:
    from prefect_support import World

PAGE_ONLY = ArxivPaper("2401.00002", "Sparse Mixtures for Everyone", "A sparse mixture of experts on one GPU.",
                       published="2024-01-05T09:30:00Z", github_repo="https://github.com/acme/seeing")


def test_a_failing_source_is_named_in_the_summary_and_the_others_are_kept(
    world: World, prefect_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.client.orchestration import get_client

    import flows.tasks
    import flows.track

    with scripted_service() as service:
        monkeypatch.setenv("ARXIV_API_URL", service.url + "api/query")
        monkeypatch.setenv("HF_ENDPOINT", service.url.rstrip("/"))
        monkeypatch.setenv("REPRO_TRACKER_ARXIV_INTERVAL", "0")
        service.answer(api_query(["2401.00001"]), 503, "Service Unavailable", Retry_After="0")
        service.answer(hf_daily_path("2025-01-15"), 200, hf_daily([PAGE_ONLY]), Content_Type="application/json")
        # The task's own retry, without its minutes of waiting.
        monkeypatch.setattr(flows.tasks, "ingest_source",
                            flows.tasks.ingest_source.with_options(retries=1, retry_delay_seconds=0))
        sources = [str(world.source), "arxiv:2401.00001", "hf-daily:2025-01-15"]
        state: Any = flows.track.track(sources=sources, database_url=world.database_url,
                                       report_dir=None, return_state=True)
        asked = [asked.path for asked in service.asked]
    assert state.is_completed(), state.message
    summary = state.result()
    assert "sources not read: arxiv:2401.00001: could not be read: HTTP 503 after 4 attempts" in summary
    assert asked.count(api_query(["2401.00001"])) == 8  # 4 attempts by the HTTP layer, twice by the task
    store = open_store(world.database_url)
    papers = {paper.id for paper in store.listed_papers()}
    assert "arxiv:2401.00002" in papers and len(papers) == 5  # the file's four and the Hub's one
    [run] = store.runs()
    assert run.note is not None and "arxiv:2401.00001" in run.note
    with get_client(sync_client=True) as client:
        name = client.read_flow_run(state.state_details.flow_run_id).name
    assert " from papers.jsonl, arxiv:2401.00001, hf-daily:2025-01-15: 5 papers, " in name
    assert summary.splitlines()[0] == name
