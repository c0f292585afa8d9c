"""Strict reading of the JSON files an admin edits by hand: bounded, UTF-8, typed per field.

A hand-edited file is where `"upsert_key": "false"` or a misspelt field hides, and Python's
truthiness would read both silently; so every value is checked against the one type its
field takes, unknown fields are refused, and every error names the field's JSON path.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

from pxdesk.core.errors import ConfigError
from pxdesk.core.inputs import MAX_FILE_BYTES, shown

_MISSING: Any = object()  # "no default": the field is required


def read_json_file(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> Any:
    """The parsed content of `path`; ConfigError in one line saying what to fix."""
    try:
        with path.open("rb") as stream:
            data = stream.read(max_bytes + 1)  # never more, however big the file is
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror or exc}", field="file") from None
    if len(data) > max_bytes:
        raise ConfigError(f"{path} is larger than {max_bytes // 1_000_000} MB: a job file is a "
                          "few KB; import a file written by `jobs export`", field="file")
    return decode_json(data, str(path))


def decode_json(data: bytes, source: str) -> Any:
    """Parse UTF-8 JSON bytes (a BOM, as Notepad writes, is allowed)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{source} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
                          f"{exc.start}): save it as UTF-8", field="file") from None
    return loads(text, source)


def loads(text: str, source: str) -> Any:
    """Parse JSON text; duplicate keys, NaN / Infinity and absurd nesting are refused."""
    try:
        return json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
    except RecursionError:
        raise ConfigError(f"{source} is nested too deeply to be a job file (an export nests 5 "
                          "levels): import a file written by `jobs export`", field="file") from None
    except ValueError as exc:
        raise ConfigError(f"{source} is not valid JSON: {exc}", field="file") from None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A key given twice would silently keep the last value: refuse it instead."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ConfigError(f"The field {shown(key)} appears twice in one object: keep one "
                              "of them", field=key)
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise ConfigError(f"{name} is not JSON: write a number, or null", field="file")


def describe(value: Any) -> str:
    """A wrong value as a message shows it: JSON for a scalar, the kind of a container."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    text = json.dumps(value)  # ASCII: control characters and stray bytes come out escaped
    return text if len(text) <= 40 else text[:37] + "..."


def join(where: str, key: str | int) -> str:
    """The JSON path of a member: `mappings[2]`, `mappings[2].upsert_key`."""
    if isinstance(key, int):
        return f"{where}[{key}]"
    name = key if key.isidentifier() else json.dumps(key)
    return f"{where}.{name}" if where else name


def wrong(where: str, expected: str, value: Any) -> ConfigError:
    return ConfigError(f"{where or 'the file'}: expected {expected}, got {describe(value)}",
                       field=where or "file")


class JsonObject:
    """One JSON object read field by field, each with its one type; unknown fields refused."""

    def __init__(self, value: Any, where: str, known: Collection[str]) -> None:
        if not isinstance(value, dict):
            raise wrong(where, "an object", value)
        for key in value:
            if key not in known:
                raise ConfigError(f"{join(where, key)}: unknown field: remove it or fix its "
                                  f"spelling (fields here: {', '.join(known)})",
                                  field=join(where, key))
        self.data, self.where = value, where

    def get(self, key: str, default: Any = _MISSING) -> Any:
        """The raw value; a required field (no default) that is absent is an error."""
        if key in self.data:
            return self.data[key]
        if default is _MISSING:
            path = join(self.where, key)
            raise ConfigError(f"{path}: missing: add it", field=path)
        return default

    def text(self, key: str, default: Any = _MISSING) -> str:
        value = self.get(key, default)
        if isinstance(value, str):
            return unicode_text(join(self.where, key), value)
        raise wrong(join(self.where, key), "a text", value)

    def optional_text(self, key: str) -> str | None:
        value = self.get(key, None)
        if value is None or isinstance(value, str):
            return None if value is None else unicode_text(join(self.where, key), value)
        raise wrong(join(self.where, key), "a text or null", value)

    def flag(self, key: str, default: bool) -> bool:
        value = self.get(key, default)
        if isinstance(value, bool):
            return value
        raise wrong(join(self.where, key), "true or false", value)

    def whole(self, key: str, default: int) -> int:
        value = self.get(key, default)
        if is_whole(value):
            return int(value)
        raise wrong(join(self.where, key), "a whole number", value)

    def number(self, key: str, default: float) -> float:
        """A whole or decimal number (JSON true is no number; NaN is no JSON)."""
        value = self.get(key, default)
        if is_whole(value) or isinstance(value, float):
            return float(value)
        raise wrong(join(self.where, key), "a number", value)

    def optional_whole(self, key: str) -> int | None:
        value = self.get(key, None)
        if value is None or is_whole(value):
            return None if value is None else int(value)
        raise wrong(join(self.where, key), "a whole number or null", value)

    def items(self, key: str) -> Iterator[tuple[str, Any]]:
        """(path, value) of each member of a list field (absent = empty)."""
        value = self.get(key, [])
        path = join(self.where, key)
        if not isinstance(value, list):
            raise wrong(path, "a list", value)
        return ((join(path, i), item) for i, item in enumerate(value))

    def texts(self, key: str) -> list[str]:
        result = []
        for path, item in self.items(key):
            if not isinstance(item, str):
                raise wrong(path, "a text", item)
            result.append(unicode_text(path, item))
        return result

    def scalars(self, key: str) -> Any:
        """A text, number, true/false or null, or a flat list of them (a filter's value)."""
        value = self.get(key, None)
        path = join(self.where, key)
        for item in value if isinstance(value, list) else [value]:
            if not (item is None or isinstance(item, str | int | float)):
                raise wrong(path, "a text, number, true/false, null or a list of them", value)
            if isinstance(item, str):
                unicode_text(path, item)
        return value


def unicode_text(path: str, value: str) -> str:
    """`value`, unless a \\udXXX escape left a lone surrogate, which no database can store."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = value[exc.start]
        raise ConfigError(f"{path}: \\u{ord(bad):04x} at character {exc.start + 1} is not valid "
                          "Unicode (a lone surrogate): remove it", field=path) from None
    return value


def is_whole(value: Any) -> bool:
    """An int that is not a bool (JSON true is not the number 1 here)."""
    return isinstance(value, int) and not isinstance(value, bool)
