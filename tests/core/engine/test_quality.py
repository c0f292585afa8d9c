"""Run quality report: known answers on the simulator, kept on the run row."""

from __future__ import annotations

from pxdesk.core.store.models import ExecutionRun, Job, JobFilter, RunStatus
from pxdesk.core.sync.quality import QualityReport, failure_kind
from tests.core.engine.conftest import ACCOUNTS, COMPANY_JOB, PERSON_JOB, USERS


def test_failure_kind_masks_the_records_values():
    assert failure_kind("no company matches PX_Account_ID__gc = accountId ('acct-17')") == \
        failure_kind("no company matches PX_Account_ID__gc = accountId (empty)") == \
        "no company matches PX_Account_ID__gc = accountId (…)"
    assert failure_kind("'abc' is not a number") == "… is not a number"
    assert failure_kind("2 person records match the upsert key 'a@b.co'") == \
        "N person records match the upsert key …"
    assert failure_kind("default value 'x' is not the GSID of an existing company") == \
        "default value … is not the GSID of an existing company"
    assert failure_kind("conflict: PX record user-7 wrote Person "
                        "0190a2b4-1c2d-7e3f-8a9b-0123456789ab before") == \
        "conflict: PX record … wrote Person GSID before"


def _expected_people(sim):
    users = [sim.get_user(i) for i in sim.user_ids()]
    with_email = [u for u in users if u.get("email")]
    accounts = set(sim.account_ids())
    no_company = [u for u in with_email if u.get("accountId") not in accounts]
    return len(users) - len(with_email), len(no_company)


def test_person_run_reports_lookup_misses_filter_removals_and_totals(connect, engine, sim):
    connect()
    result = engine.run_job(PERSON_JOB)
    assert result.status == RunStatus.PARTIAL_SUCCESS
    no_email, no_company = _expected_people(sim)
    assert no_email > 0 and no_company > 0
    report = result.quality
    assert report is not None
    assert (report.received, report.total_hits) == (USERS, USERS)
    (lookup,) = report.lookups
    assert (lookup.target_field, lookup.no_match, lookup.multi_match) == (
        "Company_ID", no_company, 0)
    (only,) = report.filters
    assert (only.alias, only.condition, only.removed) == ("A", "email is not null", no_email)
    assert [(g.kind, g.field, g.count) for g in report.failures] == [
        ("no company matches PX_Account_ID__gc = accountId (…)", "Company_ID", no_company)]
    assert result.counts.failure == no_company
    stored = QualityReport.from_json(ExecutionRun.get_by_id(result.run_id).quality)
    assert stored == report
    company = result.dependencies[0].quality
    assert company is not None and (company.received, company.total_hits) == (ACCOUNTS, ACCOUNTS)
    assert company.failures == () and company.lookups == ()


def test_each_condition_counts_the_records_it_removed(connect, engine, sim):
    connect()
    job = Job.get(Job.name == COMPANY_JOB)
    conditions = ('[{"alias": "A", "field": "name", "field_type": "STRING", "operator": '
                  '"starts_with", "value": "zzz-none"}, {"alias": "B", "field": "id", '
                  '"field_type": "STRING", "operator": "not_equals", "value": "acct-000001"}]')
    JobFilter.insert(job=job, conditions=conditions, expression="A OR B").on_conflict(
        conflict_target=[JobFilter.job],
        update={JobFilter.conditions: conditions, JobFilter.expression: "A OR B"}).execute()
    result = engine.run_job(COMPANY_JOB)
    report = result.quality
    assert report is not None and result.counts.filtered == 1
    assert [(f.alias, f.removed) for f in report.filters] == [("A", 1), ("B", 1)]
    assert report.lines()[0] == f"Records received {ACCOUNTS} of {ACCOUNTS} announced by PX " \
                                "(totalHits)"
