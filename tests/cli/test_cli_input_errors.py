"""Bad input on the command line or in an import file: one line on stderr, exit 1, nothing
saved, never a traceback (the same core rules as the wizards)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pxdesk.cli import main
from pxdesk.core.context import open_context
from pxdesk.core.pxsim import PxSimulator
from pxdesk.core.store.models import Connection, FieldMapping, Job


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


def _export(home: Path, tmp_path: Path, job: str = "Company Sync_PX") -> tuple[Path, dict]:
    path = tmp_path / "job.json"
    assert main(["--home", str(home), "jobs", "export", job, str(path)]) == 0
    return path, json.loads(path.read_text(encoding="utf-8"))


def _company_upsert_keys(home: Path) -> list[str]:
    ctx = open_context(home)
    try:
        return [m.target_field for m in FieldMapping.select().join(Job).where(
            FieldMapping.is_upsert_key & (Job.name == "Company Sync_PX"))]
    finally:
        ctx.close()


def test_import_refuses_a_string_for_a_flag(created: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path, data = _export(created, tmp_path)
    for mapping in data["mappings"]:
        mapping["upsert_key"] = "true" if mapping["source_path"] == "id" else "false"
    path.write_text(json.dumps(data), encoding="utf-8")
    capsys.readouterr()
    assert main(["--home", str(created), "jobs", "import", str(path)]) == 1
    line = _one_error_line(capsys)
    assert line.startswith('error: mappings[0].upsert_key: expected true or false, got "false"')
    assert _company_upsert_keys(created) == []


def test_import_refuses_an_unknown_field(created: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    path, data = _export(created, tmp_path)
    data["schedule"]["every_hour"] = 2
    path.write_text(json.dumps(data), encoding="utf-8")
    capsys.readouterr()
    assert main(["--home", str(created), "jobs", "import", str(path)]) == 1
    assert _one_error_line(capsys).startswith("error: schedule.every_hour: unknown field")


@pytest.mark.parametrize(("content", "hint"), [
    (b'{"name": "Caf\xe9 Sync", "kind": "company"}', "not UTF-8 text"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"success_recipients": [' + b'"user@example.com", ' * 3_000_000 + b'"a@b.c"]}',
     "larger than 1 MB"),
])
def test_import_of_an_unreadable_file_is_one_line(created: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str],
                                                  content: bytes, hint: str) -> None:
    path = tmp_path / "job.json"
    path.write_bytes(content)
    assert main(["--home", str(created), "jobs", "import", str(path)]) == 1
    line = _one_error_line(capsys)
    assert line.startswith("error: ") and hint in line


def test_import_refuses_unbounded_names_and_recipient_lists(
        created: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, data = _export(created, tmp_path)
    data["name"] = "J" * 10_000
    data["failure_recipients"] = [f"user{i}@example.com" for i in range(101)]
    path.write_text(json.dumps(data), encoding="utf-8")
    capsys.readouterr()
    assert main(["--home", str(created), "jobs", "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "10,000 characters long: use at most 80" in err
    assert "101 failure recipients: list at most 100" in err
    ctx = open_context(created)
    try:
        assert Job.select().where(Job.name == "Company Sync_PX").exists()
    finally:
        ctx.close()


def test_import_refuses_a_lone_surrogate_escape(created: Path, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    path, data = _export(created, tmp_path)
    data["mappings"][0]["target_field"] = "Name\udcff"
    path.write_text(json.dumps(data), encoding="ascii")  # json writes it as the escape \udcff
    capsys.readouterr()
    assert main(["--home", str(created), "jobs", "import", str(path)]) == 1
    assert _one_error_line(capsys).startswith(
        "error: mappings[0].target_field: \\udcff at character 5 is not valid Unicode")


@pytest.mark.parametrize(("name", "hint"), [
    ("PX\nProd", "control character U+000A"),
    ("PX\tProd", "control character U+0009"),
    ("PX\rProd", "control character U+000D"),
    ("PX\u202eProd", "control character U+202E"),
    ("PX\udcff", "not valid UTF-8"),
    ("P" * 61, "61 characters long: use at most 60"),
])
def test_create_refuses_a_bad_connection_name(home: Path, sim: PxSimulator,
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str],
                                              name: str, hint: str) -> None:
    monkeypatch.setenv("PXDESK_API_KEY", sim.api_key)
    assert main(["--home", str(home), "connection", "create", "--name", name,
                 "--base-url", sim.base_url]) == 1
    line = _one_error_line(capsys)
    assert line.startswith("error: The connection name ") and hint in line
    ctx = open_context(home)
    try:
        assert Connection.select().count() == 0
    finally:
        ctx.close()


@pytest.mark.parametrize(("suffix", "hint"), [
    ("/v\n1", "control character U+000A"),
    ("/v1\x7f", "control character U+007F"),
    ("/v 1", "space"),
])
def test_create_refuses_a_base_url_httpx_would_refuse(home: Path, sim: PxSimulator,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str],
                                                      suffix: str, hint: str) -> None:
    monkeypatch.setenv("PXDESK_API_KEY", sim.api_key)
    url = sim.base_url.removesuffix("/v1") + suffix
    assert main(["--home", str(home), "connection", "create", "--name", "PX",
                 "--base-url", url]) == 1
    line = _one_error_line(capsys)
    assert line.startswith("error: The base URL ") and hint in line


def test_create_refuses_an_empty_port(home: Path, sim: PxSimulator,
                                      monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PXDESK_API_KEY", sim.api_key)
    assert main(["--home", str(home), "connection", "create", "--name", "PX",
                 "--base-url", "http://127.0.0.1:/v1"]) == 1
    assert "empty port" in _one_error_line(capsys)


def test_a_bad_url_saved_earlier_fails_test_in_one_line(created: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    ctx = open_context(created)
    try:
        Connection.update(base_url="http://127.0.0.1:1/v\n1").execute()
    finally:
        ctx.close()
    assert main(["--home", str(created), "connection", "test"]) == 1
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    assert out.out.startswith("FAILED: The base URL ") and "U+000A" in out.out
    ctx = open_context(created)
    try:
        FieldMapping.update(is_upsert_key=True).where(
            FieldMapping.target_field == "PX_Account_ID__gc").execute()
    finally:
        ctx.close()
    assert main(["--home", str(created), "run", "Company Sync_PX"]) == 1
    out = capsys.readouterr()
    assert "Traceback" not in out.err and "InvalidURL" not in out.out
    assert "The base URL contains the control character U+000A" in out.out


def test_show_with_an_undecodable_job_name_is_one_line(created: Path,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    assert main(["--home", str(created), "jobs", "show", "Company Sync_\udcff"]) == 1
    assert "not valid UTF-8" in _one_error_line(capsys)


@pytest.mark.parametrize("command", [["run"], ["logs", "execution", "--job"]])
def test_run_and_logs_with_an_undecodable_job_name_are_one_line(
        created: Path, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    assert main(["--home", str(created), *command, "Company Sync_\udcff"]) == 1
    line = _one_error_line(capsys)
    assert line.startswith("error: The job name contains a byte that is not valid UTF-8")
