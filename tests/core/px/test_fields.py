"""The source field catalog offered by the mapping picker and the filter editor."""

from __future__ import annotations

from pxdesk.core.px.fields import SourceField, source_fields, standard_fields


def _by_path(fields: list[SourceField]) -> dict[str, SourceField]:
    return {f.path: f for f in fields}


def test_standard_account_fields_have_spec_types() -> None:
    fields = _by_path(standard_fields("account"))
    assert fields["id"] == SourceField("id", "Id", "STRING", False)
    assert fields["numberOfUsers"].type == "NUMBER"
    assert fields["nps"].type == "NUMBER"
    assert fields["renewalDate"].type == "DATE_TIME"
    assert fields["location.countryCode"].type == "STRING"
    assert fields["location.countryCode"].label == "Location: country code"
    assert fields["location.coordinates.latitude"].type == "NUMBER"
    assert "propertyKeys" not in fields  # a list has no single value to map
    assert not any(f.custom for f in fields.values())


def test_standard_user_fields_have_spec_types() -> None:
    fields = _by_path(standard_fields("users"))
    assert fields["identifyId"].type == "STRING"
    assert fields["signUpDate"].type == "DATE_TIME"
    assert fields["globalUnsubscribe"].type == "BOOLEAN"
    assert fields["score"].type == "NUMBER"
    assert "sfdcContactId" in fields  # missing from PX metadata, present on records
    assert "lastInferredLocation.city" in fields
    assert "name" not in fields


def test_source_fields_merges_custom_attributes_and_skips_hidden() -> None:
    attributes = [
        {"apiName": "plan", "name": "Plan", "type": "STRING", "origin": "CUSTOM",
         "state": "ENABLED"},
        {"apiName": "arr", "name": "ARR", "type": "NUMBER", "origin": "CUSTOM",
         "state": "ENABLED"},
        {"apiName": "old", "name": "Old", "type": "STRING", "origin": "CUSTOM",
         "state": "DELETED"},
        {"apiName": "off", "name": "Off", "type": "BOOLEAN", "origin": "CUSTOM",
         "state": "DISABLED"},
        {"apiName": "renewed", "name": "Renewed at", "type": "DATE_TIME", "origin": "CUSTOM"},
        {"apiName": "odd", "name": "Odd", "type": "WEIRD", "origin": "CUSTOM"},
        {"apiName": "email", "name": "Email address", "type": "STRING", "origin": "DEFAULT"},
        {"apiName": "newStd", "name": "New standard", "type": "NUMBER", "origin": "DEFAULT",
         "state": "ENABLED"},
        {"name": "no api name", "origin": "CUSTOM"},
    ]
    fields = source_fields("user", attributes)
    paths = [f.path for f in fields]
    by_path = _by_path(fields)
    assert by_path["customAttributes.plan"] == SourceField(
        "customAttributes.plan", "Plan", "STRING", True
    )
    assert by_path["customAttributes.arr"].type == "NUMBER"
    assert by_path["customAttributes.renewed"].type == "DATE_TIME"
    assert by_path["customAttributes.odd"].type == "STRING"
    assert "customAttributes.old" not in by_path
    assert "customAttributes.off" not in by_path
    assert by_path["email"].label == "Email address" and not by_path["email"].custom
    assert by_path["newStd"] == SourceField("newStd", "New standard", "NUMBER", False)
    # standard first (catalog order), custom last sorted by label
    assert paths[0] == "identifyId"
    custom = [f.label for f in fields if f.custom]
    assert custom == ["ARR", "Odd", "Plan", "Renewed at"]
    assert len(paths) == len(set(paths))
    # every standard field is still offered
    assert {f.path for f in standard_fields("user")} <= set(paths)
