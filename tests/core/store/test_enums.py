"""Labelled enums: each value has one label, read by the validator, the wizards, views and CLI."""

from __future__ import annotations

import pytest

from pxdesk.core.config.stages import Stage
from pxdesk.core.store.enums import (
    JobKind,
    LabelledEnum,
    LookupObject,
    ModificationType,
    Region,
    ScheduleKind,
    SourceObject,
    TargetObject,
)

LABELLED: list[type[LabelledEnum]] = [Region, SourceObject, ModificationType, TargetObject,
                                      LookupObject, JobKind, ScheduleKind, Stage]


@pytest.mark.parametrize("enum", LABELLED, ids=lambda e: e.__name__)
def test_each_value_has_its_own_label_and_stays_its_stored_text(
        enum: type[LabelledEnum]) -> None:
    labels = [member.label for member in enum]
    assert all(labels) and len(set(labels)) == len(labels)
    for member in enum:
        assert enum(member.value) is member
        assert f"{member}" == member.value, "stored and printed as the value, not the label"


def test_label_of_a_value_that_is_no_member_falls_back() -> None:
    assert TargetObject.label_of("company_person") == "Company Person"
    assert TargetObject.label_of("planet") == "planet"
    assert Region.label_of("", "?") == "?"


def test_a_job_kind_names_what_it_reads_and_writes() -> None:
    assert JobKind.COMPANY.label == "Company Sync"
    assert JobKind.COMPANY.flow == "PX Account → Company"
    assert JobKind.COMPANY_PERSON.flow == "PX User → Person, Company Person"
    assert JobKind.COMPANY_PERSON.source is SourceObject.USER
