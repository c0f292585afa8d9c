"""How the CLI shows saved configuration versions and their diffs (jobs and connection)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pxdesk.cli.output import print_table

if TYPE_CHECKING:
    from pxdesk.core.config.history import Version


def print_versions(versions: list[Version]) -> None:
    """Versions as a table: number, local time, who, what (the job's and the connection's)."""
    from pxdesk.core.logs.csv_export import iso_timestamp

    print_table(["Version", "Saved", "By", "Action", "Summary"],
                [[v.number, iso_timestamp(v.at), v.user, v.action, v.summary]
                 for v in versions])


def print_diff(lines: list[str], old: int, new: int) -> None:
    if not lines:
        print(f"Versions {old} and {new} are the same.")
    for line in lines:
        print(line)
