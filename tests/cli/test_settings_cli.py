"""`pxdesk-cli settings get|set` and `fields add|list`: the Settings dialog's keys, labels and
checks, and the mapping stage's custom fields, headless."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from pxdesk.cli import main
from pxdesk.core.context import open_context
from pxdesk.core.store import settings as st
from pxdesk.core.store.models import CustomField

PASSWORD = "s3cr3t-Pa55word!"


def _cli(home: Path, *args: str) -> int:
    code = main(["--home", str(home), *args])
    open_context(home)  # the CLI closed the shared store binding; bind it again
    return code


def _error(capsys: pytest.CaptureFixture[str]) -> str:
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("error: ")
    return line


def test_set_then_get_every_kind_of_value(home: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    for key, value in [("smtp_host", "mail.example.com"), ("smtp_port", "2525"),
                       ("smtp_security", "ssl"), ("catch_up_missed_runs", "off"),
                       ("person_resolution_key", "Email, Name"),
                       ("default_timezone", "Europe/Berlin"), ("retention_days", "30"),
                       ("admin_email", "admin@example.com")]:
        assert _cli(home, "settings", "set", key, value) == 0, key
    out = capsys.readouterr().out
    assert "SMTP port: 2525" in out  # the dialog's label says what was saved
    assert (st.get_setting("smtp_port"), st.get_setting("catch_up_missed_runs")) == (2525, False)
    assert st.get_setting("person_resolution_key") == ["Email", "Name"]
    assert _cli(home, "settings", "get", "retention_days") == 0
    assert capsys.readouterr().out == "30\n"
    assert _cli(home, "settings", "get", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["smtp_security"] == {"label": "SMTP security", "value": "ssl"}
    assert data["person_resolution_key"]["value"] == ["Email", "Name"]
    assert data["default_timezone"]["value"] == "Europe/Berlin"
    assert _cli(home, "settings", "set", "default_timezone", "machine") == 0
    assert st.get_setting("default_timezone") is None
    assert _cli(home, "settings", "get") == 0
    table = capsys.readouterr().out
    assert "Keep runs for" in table and "admin@example.com" in table


@pytest.mark.parametrize(("key", "value", "says"), [
    ("smtp_port", "70000", "SMTP port: 70000 is out of range"),
    ("smtp_port", "many", "SMTP port: expects a whole number"),
    ("smtp_security", "tls", "SMTP security: 'tls' is not one of"),
    ("admin_email", "not-an-address", "Admin email: 'not-an-address' is not an email"),
    ("default_timezone", "Mars/Olympus", "Default time zone: unknown time zone"),
    ("retention_days", "-1", "Keep runs for: -1 is below 0"),
    ("catch_up_missed_runs", "maybe", "Run missed scheduled jobs: expects on or off"),
    ("schedules_paused", "1", "is pxdesk's own state"),
    ("no_such_key", "1", "is not a setting pxdesk knows"),
])
def test_set_refuses_what_the_dialog_refuses(home: Path, capsys: pytest.CaptureFixture[str],
                                             key: str, value: str, says: str) -> None:
    assert _cli(home, "settings", "set", key, value) == 1
    assert says in _error(capsys)


def test_smtp_password_comes_from_stdin_and_is_never_printed(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    assert _cli(home, "settings", "set", "smtp_password", PASSWORD) == 1
    assert "never an argument" in _error(capsys)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert _cli(home, "settings", "set", "smtp_password") == 0
    assert PASSWORD not in capsys.readouterr().out
    with open_context(home) as ctx:
        ref = st.get_setting(st.SMTP_PASSWORD_REF)
        assert ref and ctx.secrets.get(ref) == PASSWORD
    open_context(home)
    assert _cli(home, "settings", "get", "smtp_password") == 0
    assert capsys.readouterr().out == "(set)\n"
    assert _cli(home, "settings", "get", "--json") == 0
    out = capsys.readouterr().out
    assert PASSWORD not in out and json.loads(out)["smtp_password"]["value"] == "(set)"
    assert "smtp_password_ref" not in json.loads(out)
    assert _cli(home, "settings", "get", "smtp_password_ref") == 1
    assert "is not a setting" in _error(capsys)


def test_fields_add_and_list(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(home, "fields", "add", "person", "Tier", "--type", "Picklist") == 0
    assert "Tier__gc" in capsys.readouterr().out
    assert _cli(home, "fields", "add", "company-person", "Seats", "--type", "number",
                "--label", "Seats Bought") == 0
    assert "Added Company Person.Seats__gc (Number" in capsys.readouterr().out
    field = CustomField.get(CustomField.api_name == "Seats__gc")
    assert (field.object, field.label, field.field_type) == ("company_person", "Seats Bought",
                                                             "Number")
    assert _cli(home, "fields", "list", "person") == 0
    out = capsys.readouterr().out
    assert "Tier__gc" in out and "Picklist" in out and "Seats__gc" not in out


@pytest.mark.parametrize(("args", "says"), [
    (["person", "Tier", "--type", "Colour"], "Unknown field type 'Colour'"),
    (["planet", "Tier", "--type", "String"], "Unknown target object 'planet'"),
    (["person", "Email", "--type", "String", "--label", "E"], "already has a field Email__gc"),
    (["person", "%%", "--type", "String"], "has no letters or digits"),
])
def test_fields_add_refuses_what_the_dialog_refuses(home: Path, args: list[str], says: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(home, "fields", "add", "person", "Email", "--type", "String") == 0
    capsys.readouterr()
    assert _cli(home, "fields", "add", *args) == 1
    assert says in _error(capsys)


def test_setting_the_admin_email_fills_empty_recipient_lists_and_says_so(
        created: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pxdesk.core.store.models import Job

    assert _cli(created, "settings", "set", "admin_email", "admin@example.com") == 0
    out = capsys.readouterr().out
    assert "Recipients filled with admin@example.com:" in out
    for job in Job.select():
        assert json.loads(job.success_recipients) == ["admin@example.com"], job.name
        assert job.name in out
