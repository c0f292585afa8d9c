"""A run is exact or says what it missed, and then its window holds (issue 10)."""

from __future__ import annotations

import csv
from pathlib import Path

from pxdesk.core.px.client import PxClient
from pxdesk.core.pxsim import Fault, PxSimulator
from pxdesk.core.store.models import Company, ExecutionRun, Job, RunStatus
from pxdesk.core.sync.engine import SyncEngine
from tests.core.engine.conftest import ACCOUNTS, COMPANY_JOB, PERSON_JOB, mark_upsert_key


def _engine(context, sim: PxSimulator, page_size: int = 1000) -> SyncEngine:
    """An engine whose client never really sleeps between retries."""

    def client(on_request):  # type: ignore[no-untyped-def]
        return PxClient(sim.base_url, sim.api_key, on_request=on_request,
                        sleep=lambda _s: None, timeout=10)

    return SyncEngine(context.secrets, user="tester", runs_dir=Path(context.paths.runs_dir),
                      client_factory=client, page_size=page_size)


def _window(job: str = COMPANY_JOB) -> int | None:
    return Job.get(Job.name == job).window_end


def _file_ids(path: str | None) -> list[str]:
    with open(path or "", newline="", encoding="utf-8") as fh:
        return [row["Source ID"] for row in csv.DictReader(fh)]


def _accounted(result) -> list[str]:  # type: ignore[no-untyped-def]
    """Every source id the run wrote or failed, from its success and error files."""
    return _file_ids(result.success_file) + _file_ids(result.error_file)


def _with_email(sim: PxSimulator) -> list[str]:
    """The users the default filter (email is not null) lets through."""
    return sorted(i for i in sim.user_ids() if sim.get_user(i).get("email"))


def test_pages_capped_by_the_server_store_everything(connect, context, sim):
    connect()
    sim.page_size_cap = 7
    result = _engine(context, sim).run_job(PERSON_JOB)
    company = result.dependencies[0]
    assert company.status == RunStatus.SUCCESS and company.counts.success == ACCOUNTS
    assert Company.select().count() == ACCOUNTS
    assert sorted(_accounted(result)) == _with_email(sim)  # each user once, none missing
    assert result.counts.success + result.counts.failure + result.counts.filtered == sim.user_count
    assert _window() is not None and _window(PERSON_JOB) is not None


def test_20000_users_from_a_server_capping_pages_at_500_are_exact(connect, context):
    with PxSimulator(accounts=40, users=20_000, page_size_cap=500) as sim:
        from tests.core.engine.conftest import _create_connection

        _create_connection(context, sim, False)
        mark_upsert_key()
        result = _engine(context, sim).run_job(PERSON_JOB)
        expected = _with_email(sim)
    assert result.dependencies[0].counts.success == 40 and Company.select().count() == 40
    assert result.counts.success + result.counts.failure + result.counts.filtered == 20_000
    assert sorted(_accounted(result)) == expected
    assert _window() is not None and _window(PERSON_JOB) is not None


def test_a_shortfall_is_partial_success_with_its_reason_and_holds_the_window(
        connect, context, sim):
    connect()
    engine = _engine(context, sim, page_size=10)
    sim.inject(Fault("vanish", count=4, path="/v1/accounts"))
    result = engine.run_job(COMPANY_JOB)
    assert result.status == RunStatus.PARTIAL_SUCCESS
    assert result.counts.success == ACCOUNTS - 4 and result.counts.failure == 0
    assert "PX announced 30 accounts, received 26" in (result.reason or "")
    assert ExecutionRun.get_by_id(result.run_id).reason == result.reason
    assert _window() is None  # the next run reads everything again
    again = engine.run_job(COMPANY_JOB)
    assert again.status == RunStatus.SUCCESS and not again.reason
    assert Company.select().count() == ACCOUNTS and _window() is not None


def test_a_cut_answer_on_a_moving_cursor_restarts_and_counts_each_record_once(
        connect, context, sim):
    connect()
    mark_upsert_key()
    engine = _engine(context, sim, page_size=50)
    engine.run_job(COMPANY_JOB)
    sim.inject(Fault("cut", every=3, path="/v1/users"))
    result = engine.run_job(PERSON_JOB)
    assert result.counts.success + result.counts.failure + result.counts.filtered == sim.user_count
    assert (result.reason or "").startswith("The PX users listing restarted from page 1")
    assert sorted(_accounted(result)) == _with_email(sim)
    assert len(_file_ids(result.error_file)) == result.counts.failure
    assert _window(PERSON_JOB) is not None  # complete and exact: the window moves


def test_cut_every_4th_answer_ends_loudly_and_keeps_the_window(connect, context):
    with PxSimulator(accounts=40, users=20_000) as sim:
        from tests.core.engine.conftest import _create_connection

        _create_connection(context, sim, False)
        mark_upsert_key()
        engine = _engine(context, sim)
        assert engine.run_job(COMPANY_JOB).status == RunStatus.SUCCESS
        sim.inject(Fault("cut", every=4, times=10_000, path="/v1/users"))
        result = engine.run_job(PERSON_JOB)
    assert result.status in (RunStatus.FAILURE, RunStatus.PARTIAL_SUCCESS)
    assert "of 20,000" in (result.reason or "")
    assert _window(PERSON_JOB) is None
    written = result.counts.success + result.counts.failure + result.counts.filtered
    assert written < 20_000
    accounted = _accounted(result)
    assert len(accounted) == len(set(accounted)) == result.counts.success + result.counts.failure


def test_a_rate_limit_outlasting_the_retries_holds_the_window(connect, context, sim):
    connect()
    engine = _engine(context, sim, page_size=10)
    sim.inject(Fault("latency", delay=0, path="/v1/accounts"))  # the first page comes
    sim.inject(Fault("status", status=429, times=20, path="/v1/accounts"))  # then a storm
    result = engine.run_job(COMPANY_JOB)
    assert result.status == RunStatus.FAILURE
    assert (result.reason or "").startswith("PX rate limit")
    assert "received 10 of 30" in (result.reason or "")
    assert _window() is None


def test_the_shortfall_reaches_the_cli_json_and_its_exit_code(connect, home, sim, capsys):
    import json

    from pxdesk.cli import main
    from pxdesk.core.context import open_context

    connect()
    sim.inject(Fault("vanish", count=3, path="/v1/accounts"))
    code = main(["--home", str(home), "run", COMPANY_JOB, "--json"])
    open_context(home)
    out = json.loads(capsys.readouterr().out)
    assert code == 3 and out["status"] == "Partial Success"
    assert "PX announced 30 accounts, received 27: 3 missing" in out["reason"]
    assert _window() is None


def test_a_shortfall_holds_the_window_even_when_records_also_failed(connect, context, sim):
    connect()
    engine = SyncEngine(context.secrets, runs_dir=Path(context.paths.runs_dir))
    engine.run_job(COMPANY_JOB)
    sim.inject(Fault("vanish", count=5, path="/v1/users"))
    result = engine.run_job(PERSON_JOB)
    assert result.status == RunStatus.PARTIAL_SUCCESS and result.counts.failure > 0
    assert "missing, so the window did not move" in (result.reason or "")
    assert Job.get(Job.name == PERSON_JOB).window_end is None, "read everything again next"


def test_a_px_error_while_checking_for_deletions_spares_the_sync_it_follows(
        connect, context, sim):
    connect()
    engine = SyncEngine(context.secrets, runs_dir=Path(context.paths.runs_dir))
    engine.run_job(COMPANY_JOB)
    window = Job.get(Job.name == COMPANY_JOB).window_end
    # the run's own listing passes; every answer to the check's listing is a 403
    sim.inject(Fault("status", status=403, path="/v1/accounts", every=2, times=10))
    result = engine.run_job(COMPANY_JOB, reconcile=True)
    assert result.status == RunStatus.PARTIAL_SUCCESS
    assert (result.reason or "").startswith("could not check for records deleted in PX")
    assert Job.get(Job.name == COMPANY_JOB).window_end > window, "the sync itself was exact"
