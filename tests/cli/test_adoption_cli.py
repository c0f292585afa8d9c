"""`pxdesk-cli adoption`: the core's figures as a table, JSON or Excel-safe CSV."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pxdesk.cli import main
from pxdesk.core.adoption.activity import write_activity
from pxdesk.core.adoption.figures import day_end_ms
from pxdesk.core.context import open_context
from pxdesk.core.store.models import Company

END = day_end_ms(datetime(2026, 3, 10, tzinfo=UTC).date())
DAY = 86_400_000


@pytest.fixture
def data(home: Path) -> dict[str, str]:
    with open_context(home) as ctx:
        acme = Company.create(name="Acme", created_by="t", modified_by="t").gsid
        evil = Company.create(name="=HYPERLINK(1)", created_by="t", modified_by="t").gsid
        write_activity(ctx.db, [
            ("u1", "a1", acme, END - 1, None, None, 4),
            ("u2", "a1", acme, END - 10 * DAY, None, None, 2),
            ("u3", "a2", evil, None, None, None, 0),
            ("u4", None, None, END - 2 * DAY, None, None, 1),
        ], now=1)
    return {"acme": acme, "evil": evil}


def test_json_overview_of_all_companies(home: Path, data: dict[str, str],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--home", str(home), "adoption", "--as-of", "2026-03-10", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["as_of"] == "2026-03-10" and out["company"] is None
    figures = out["figures"]
    assert (figures["users"], figures["active_1"], figures["active_7"],
            figures["active_30"]) == (4, 1, 2, 3)
    assert figures["stickiness"] == pytest.approx(1 / 3)
    assert (figures["never_seen"], figures["without_company"], figures["visits"]) == (1, 1, 7)
    assert len(out["sign_ups_per_week"]) == 12
    assert [c["name"] for c in out["companies"]] == ["=HYPERLINK(1)", "Acme"]
    assert [c["name"] for c in out["at_risk"]] == ["=HYPERLINK(1)"]


def test_one_company_by_name(home: Path, data: dict[str, str],
                             capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--home", str(home), "adoption", "--company", "acme", "--as-of",
                 "2026-03-10", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["company"] == {"gsid": data["acme"], "name": "Acme"}
    assert (out["figures"]["users"], out["figures"]["active_30"]) == (2, 2)
    assert [c["name"] for c in out["companies"]] == ["Acme"]


def test_csv_of_the_companies_table_is_excel_safe(home: Path, data: dict[str, str],
                                                  tmp_path: Path) -> None:
    target = tmp_path / "adoption.csv"
    assert main(["--home", str(home), "adoption", "--as-of", "2026-03-10", "--csv",
                 str(target)]) == 0
    rows = list(csv.reader(target.open(encoding="utf-8", newline="")))
    assert rows[0][:3] == ["Company", "GSID", "Users"]
    assert rows[1][0] == "'=HYPERLINK(1)", "a formula-like name is neutralised as in the logs"
    assert rows[2][:3] == ["Acme", data["acme"], "2"]


def test_table_and_empty_state(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--home", str(home), "adoption"]) == 0
    assert "run Company Person Sync" in capsys.readouterr().out


def test_table_output(home: Path, data: dict[str, str],
                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--home", str(home), "adoption", "--as-of", "2026-03-10"]) == 0
    out = capsys.readouterr().out
    assert "Active users, last 30 days" in out and "Acme" in out


def test_unknown_company_and_bad_date_fail(home: Path, data: dict[str, str],
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--home", str(home), "adoption", "--company", "Nope"]) == 1
    assert "no company named 'Nope'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--home", str(home), "adoption", "--as-of", "10/03/2026"])


def test_empty_states_say_what_to_do(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--home", str(home), "adoption"]) == 0
    assert "run Company Person Sync" in capsys.readouterr().out
    with open_context(home) as ctx:
        write_activity(ctx.db, [("u1", "a1", None, None, None, None, 0)], now=1)
    assert main(["--home", str(home), "adoption"]) == 0
    out = capsys.readouterr().out
    assert "No user has a lastSeenDate yet" in out
    assert "run Company Person Sync again" in out
