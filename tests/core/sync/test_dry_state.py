"""A dry run's would-be rows: the newest in memory, the rest in a temporary file."""

from __future__ import annotations

from pathlib import Path

from pxdesk.core.sync.dry_state import SpillFile, SpillMap


def test_entries_past_the_hot_limit_are_read_back_from_the_file(tmp_path: Path) -> None:
    file = SpillFile(tmp_path)
    rows: SpillMap[str, tuple[object, ...]] = SpillMap(file, hot=4)
    for n in range(20):
        rows[f"g{n}"] = (n, f"name {n}", {"custom": n})
    assert file.path is not None and file.path.exists()
    rows["g0"] = (0, "renamed", {})  # back in memory, newer than the file's copy
    rows.pop("g1")
    found = rows.get_many([f"g{n}" for n in range(22)])
    assert found["g0"] == (0, "renamed", {}) and "g1" not in found
    assert found["g19"] == (19, "name 19", {"custom": 19}) and "g20" not in found
    assert len(found) == 19 and sorted(rows) == sorted(found)
    assert rows.get("g7") == (7, "name 7", {"custom": 7}) and rows.get("nope") is None
    path = file.path
    file.close()
    assert not path.exists()


def test_keys_equal_in_python_are_one_key_in_the_file(tmp_path: Path) -> None:
    file = SpillFile(tmp_path)
    keys: SpillMap[tuple[object, ...], str] = SpillMap(file, hot=1)
    keys[(2.0, "a@example.com")] = "first"
    keys[("x",)] = "pushes the first to the file"
    keys[("y",)] = "again"
    assert keys.get_many([(2, "a@example.com")]) == {(2, "a@example.com"): "first"}


def test_a_small_state_never_touches_the_disk(tmp_path: Path) -> None:
    file = SpillFile(tmp_path)
    rows: SpillMap[str, int] = SpillMap(file, hot=10)
    rows.update({"a": 1, "b": 2})
    assert rows.get_many(["a", "c"]) == {"a": 1}
    assert file.path is None and list(tmp_path.iterdir()) == []


def test_text_and_mixed_keys_round_trip_through_the_file(tmp_path: Path) -> None:
    file = SpillFile(tmp_path)
    keys: SpillMap[tuple[object, ...], str] = SpillMap(file, hot=1)
    wanted = [("a@example.com",), ("g1", "c1"), ("x", 3), (True,), ("a@example.com", "b")]
    for n, key in enumerate(wanted):
        keys[key] = f"v{n}"
    keys[("last",)] = "last"
    assert keys.get_many(wanted) == {key: f"v{n}" for n, key in enumerate(wanted)}
    assert sorted(map(repr, keys)) == sorted(map(repr, [*wanted, ("last",)]))
