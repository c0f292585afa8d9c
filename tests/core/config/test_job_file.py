"""Job files are read strictly: a wrong type or an unknown field is refused with its JSON path,
and a file that is too big, not UTF-8 or absurdly nested gets one line saying what to fix."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pxdesk.core.config.defaults import company_config, person_config
from pxdesk.core.config.job_config import JobConfig
from pxdesk.core.config.job_service import read_job_file
from pxdesk.core.errors import ConfigError

Edit = Callable[[dict[str, Any]], object]


def _person() -> dict[str, Any]:
    return person_config("PX", ["admin@example.com"], "UTC", ["Email"]).to_dict()


def _set(path: list[str | int], value: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        node: Any = data
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value
    return edit


def test_an_export_reads_back_unchanged() -> None:
    for config in (company_config("PX", [], "UTC"), JobConfig.from_dict(_person())):
        assert JobConfig.from_dict(config.to_dict()) == config


@pytest.mark.parametrize(("edit", "message"), [
    (_set(["mappings", 2, "upsert_key"], "false"),
     'mappings[2].upsert_key: expected true or false, got "false"'),
    (_set(["mappings", 0, "upsert_key"], 0), "mappings[0].upsert_key: expected true or false, "
     "got 0"),
    (_set(["schedule", "every_hours"], True), "schedule.every_hours: expected a whole number, "
     "got true"),
    (_set(["schedule", "every_hours"], "2"), 'schedule.every_hours: expected a whole number, '
     'got "2"'),
    (_set(["schedule", "day_of_month"], 1.5), "schedule.day_of_month: expected a whole number "
     "or null, got 1.5"),
    (_set(["schedule", "enabled"], "no"), 'schedule.enabled: expected true or false, got "no"'),
    (_set(["schedule", "days"], [1, "2"]), 'schedule.days[1]: expected a whole number, '
     'got "2"'),
    (_set(["schedule", "days"], {"mon": True}), "schedule.days: expected a text or a list "
     "of whole numbers, got an object"),
    (_set(["schedule", "days"], "week\udcffdays"), "schedule.days: \\udcff at character 5 is "
     "not valid Unicode"),
    (_set(["schedule", "timezone"], None), "schedule.timezone: expected a text, got null"),
    (_set(["name"], 42), "name: expected a text, got 42"),
    (_set(["kind"], ["company"]), "kind: expected a text, got a list"),
    (_set(["mappings", 1, "target_field"], 7), "mappings[1].target_field: expected a text, "
     "got 7"),
    (_set(["success_recipients", 0], {"to": "a@b.c"}), "success_recipients[0]: expected a "
     "text, got an object"),
    (_set(["dependencies"], "Company Sync_PX"), 'dependencies: expected a list, got '
     '"Company Sync_PX"'),
    (_set(["mappings", 0], ["email"]), "mappings[0]: expected an object, got a list"),
    (_set(["schedule"], []), "schedule: expected an object, got a list"),
    (_set(["filters"], "email is not null"), 'filters: expected an object, got '
     '"email is not null"'),
    (_set(["filters", "conditions", 0, "locked"], "true"),
     'filters.conditions[0].locked: expected true or false, got "true"'),
    (_set(["filters", "conditions", 0, "value"], {"a": 1}),
     "filters.conditions[0].value: expected a text, number, true/false, null or a list of "
     "them, got an object"),
    (_set(["filters", "expression"], 1), "filters.expression: expected a text, got 1"),
    (_set(["derived", 0, "pairs", 0, "lookup_field"], False),
     "derived[0].pairs[0].lookup_field: expected a text, got false"),
    (_set(["derived", 0, "default_value"], 0), "derived[0].default_value: expected a text or "
     "null, got 0"),
    (_set(["mappings", 3, "upsert"], True), "mappings[3].upsert: unknown field"),
    (_set(["schedule", "hour"], 9), "schedule.hour: unknown field"),
    (_set(["derived", 0, "pairs", 0, "op"], "eq"), "derived[0].pairs[0].op: unknown field"),
    (_set(["filters", "conditions", 0, "negate"], True),
     "filters.conditions[0].negate: unknown field"),
    (_set(["recipients"], []), "recipients: unknown field"),
    (_set(["filters", "conditions", 0, "field"], "em\udcffail"),
     "filters.conditions[0].field: \\udcff at character 3 is not valid Unicode"),
    (_set(["dependencies", 0], "\ud800"), "dependencies[0]: \\ud800 at character 1 is not "
     "valid Unicode"),
    (_set(["alert_failure_percent"], "5"), 'alert_failure_percent: expected a number, got "5"'),
    (_set(["alert_failure_percent"], True), "alert_failure_percent: expected a number, "
     "got true"),
    (_set(["reconcile_days"], 7.5), "reconcile_days: expected a whole number, got 7.5"),
    (_set(["deletion_policy"], None), "deletion_policy: expected a text, got null"),
    (_set(["mappings", 0, "source_path"], None), "mappings[0].source_path: expected a text, "
     "got null"),
])
def test_a_wrong_type_or_unknown_field_is_refused_with_its_path(edit: Edit,
                                                                message: str) -> None:
    data = _person()
    edit(data)
    with pytest.raises(ConfigError) as info:
        JobConfig.from_dict(data)
    assert str(info.value).startswith(message)
    assert info.value.field == message.split(":")[0]


def test_an_old_job_file_without_the_policies_imports_with_the_defaults() -> None:
    data = _person()
    for key in ("deletion_policy", "reconcile_days", "alert_failure_percent"):
        del data[key]
    config = JobConfig.from_dict(data)
    assert (config.deletion_policy, config.reconcile_days, config.alert_failure_percent) == (
        "mark", 7, 5.0)


def test_the_policies_read_back_from_a_file() -> None:
    data = _person() | {"deletion_policy": "delete", "reconcile_days": 0,
                        "alert_failure_percent": 2}
    config = JobConfig.from_dict(data)
    assert (config.deletion_policy, config.reconcile_days, config.alert_failure_percent) == (
        "delete", 0, 2.0)
    assert isinstance(config.alert_failure_percent, float)


def test_a_missing_required_field_names_its_path() -> None:
    data = _person()
    del data["mappings"][1]["target_type"]
    with pytest.raises(ConfigError, match=r"^mappings\[1\]\.target_type: missing"):
        JobConfig.from_dict(data)


def _write(tmp_path: Path, content: bytes) -> Path:
    path = tmp_path / "job.json"
    path.write_bytes(content)
    return path


def test_read_job_file_reads_an_export(tmp_path: Path) -> None:
    data = _person()
    path = _write(tmp_path, b"\xef\xbb\xbf" + json.dumps(data).encode())  # a Notepad BOM is ok
    assert read_job_file(path).to_dict() == data


@pytest.mark.parametrize(("content", "message"), [
    (b'{"name": "Caf\xe9"}', r"not UTF-8 text \(byte 0xe9 at offset 13\): save it as UTF-8"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"name": "a", "name": "b"}', "'name' appears twice"),
    (b'{"name": NaN}', "NaN is not JSON"),
    (b"{not json", "not valid JSON"),
    (b"", "not valid JSON"),
])
def test_an_unreadable_file_gets_one_line_saying_what_to_fix(tmp_path: Path, content: bytes,
                                                             message: str) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        read_job_file(_write(tmp_path, content))
    assert "\n" not in str(info.value)


def test_a_file_over_the_size_bound_is_refused_unread(tmp_path: Path) -> None:
    many = b'"user@example.com", ' * 3_000_000
    path = _write(tmp_path, b'{"success_recipients": [' + many + b'"a@b.c"]}')
    assert path.stat().st_size > 40_000_000
    with pytest.raises(ConfigError, match="larger than 1 MB: a job file is a few KB"):
        read_job_file(path)


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Cannot read"):
        read_job_file(tmp_path / "nope.json")
