"""`pxdesk-cli data show ID`: a record with its lineage."""

from __future__ import annotations

import json

from pxdesk.cli import main
from pxdesk.core.context import open_context
from pxdesk.core.store.base import now_ms
from pxdesk.core.store.models import Company
from tests.core.engine.conftest import COMPANY_JOB


def _cli(home, *args):
    code = main(["--home", str(home), *args])
    open_context(home)  # the CLI closed the shared store binding; bind it again
    return code


def test_show_names_the_run_its_px_record_and_its_changes(connect, home, sim, capsys):
    connect()
    assert _cli(home, "run", COMPANY_JOB, "--json") == 0
    first = json.loads(capsys.readouterr().out)["run_id"]
    company = Company.select().order_by(Company.name).first()
    account = json.loads(company.custom)["PX_Account_ID__gc"]

    assert _cli(home, "data", "show", company.gsid) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Company {company.gsid}\n")
    assert f"Last written by run {first}\n" in out
    assert f"PX record {account} ({COMPANY_JOB}), last synced by run {first} (Success" in out
    assert f'"id": "{account}"' in out and "Field changes" not in out

    sim.update_account(account, name="Renamed in PX", lastModifiedDate=now_ms() - 1)
    assert _cli(home, "run", COMPANY_JOB, "--json") == 0
    second = json.loads(capsys.readouterr().out)["run_id"]
    assert _cli(home, "data", "show", company.gsid, "--json") == 0
    lineage = json.loads(capsys.readouterr().out)
    assert lineage["last_run_id"] == second
    assert lineage["sources"][0]["record"] == sim.get_account(account)
    (change,) = lineage["changes"]
    assert (change["run_id"], change["field"], change["old"], change["new"]) == (
        second, "Name", company.name, "Renamed in PX")


def test_show_an_unknown_id_is_one_line(connect, home, capsys):
    connect()
    assert _cli(home, "data", "show", "nope") == 1
    assert capsys.readouterr().err == ("error: No Company, Person, Company Person or Company "
                                       "Instance has the GSID 'nope'\n")
