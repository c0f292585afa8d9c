"""`pxdesk-cli run JOB --dry-run`: the quality brief in the text, JSON and CSV streamed from a
result that spilled to its temporary file, and that file deleted when the command ends."""

from __future__ import annotations

import csv
import json
from typing import Any

import pytest

from pxdesk.cli import main
from pxdesk.core.context import open_context
from pxdesk.core.sync.engine import SyncEngine
from tests.core.engine.conftest import COMPANY_JOB, PERSON_JOB


def _cli(home, *args):
    code = main(["--home", str(home), *args])
    open_context(home)  # the CLI closed the shared store binding; bind it again
    return code


@pytest.fixture
def spilled(monkeypatch) -> list[Any]:
    """Every CLI dry run keeps only 3 records in memory; the results, to look at after."""
    results: list[Any] = []
    real = SyncEngine.dry_run

    def small(self: SyncEngine, job_name: str, **kwargs: Any) -> Any:
        result = real(self, job_name, **{**kwargs, "keep": 3})
        results.append(result)
        return result

    monkeypatch.setattr(SyncEngine, "dry_run", small)
    return results


def test_text_shows_the_quality_brief(connect, home, capsys):
    connect()
    assert _cli(home, "run", PERSON_JOB, "--dry-run") == 1  # no company yet: all would fail
    text = capsys.readouterr().out
    assert "  quality: Records received" in text
    assert "  quality: Derived Company_ID (company where accountId = PX_Account_ID__gc):" in text
    assert "  quality: 297 failed [Company_ID]: no company matches" in text


def test_json_and_csv_stream_every_record_and_the_file_goes(connect, home, capsys, tmp_path,
                                                            spilled):
    connect()
    out_csv = tmp_path / "dry.csv"
    assert _cli(home, "run", COMPANY_JOB, "--dry-run", "--json", "--csv", str(out_csv)) == 0
    out = json.loads(capsys.readouterr().out)
    (result,) = spilled
    assert result.records.path is not None and not result.records.path.exists()
    assert out["totals"]["Would insert"] == 30 and len(out["records"]) == 30
    assert out["records"][29]["outcome"] == "Would insert"
    assert [r["source_id"] for r in out["records"]] == sorted(r["source_id"]
                                                              for r in out["records"])
    with out_csv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 31 and [r[0] for r in rows[1:]] == [r["source_id"]
                                                            for r in out["records"]]


def test_text_lists_records_from_the_file(connect, home, capsys, spilled):
    connect()
    assert _cli(home, "run", COMPANY_JOB, "--dry-run") == 0
    text = capsys.readouterr().out
    assert text.count("Would insert: Name =") == 30
    assert not spilled[0].records.path.exists()
