"""The five stages of a job's configuration: where an issue is filed and which page shows it."""

from __future__ import annotations

from pxdesk.core.store.enums import LabelledEnum


class Stage(LabelledEnum):
    """The value is what the CLI prints before an issue; the label is the wizard page's title."""

    CONFIGURATION = "configuration", "Job Configuration"
    MAPPINGS = "mappings", "Data Source and Field Mappings"
    DERIVED = "derived", "Derived Mappings"
    FILTERS = "filters", "Sync Filters"
    SCHEDULE = "schedule", "Schedule"
