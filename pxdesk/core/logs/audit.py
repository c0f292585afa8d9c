"""The audit log: one row per change to a job's configuration (who, what, old -> new)."""

from __future__ import annotations

from pxdesk.core.store.base import now_ms
from pxdesk.core.store.enums import AuditAction, AuditAttribute
from pxdesk.core.store.models import AuditLog, Job


def write_audit(
    job: Job, attribute: str, sub_attribute: str, action: str, old: str | None,
    new: str | None, user: str, info: str | None = None, *, at: int | None = None,
) -> AuditLog:
    """Record one change; `attribute`/`action` must be AuditAttribute / AuditAction values.

    The job name is copied so the row still reads well after the job is renamed or deleted.
    """
    return AuditLog.create(
        at=now_ms() if at is None else at, user=user, job=job, job_name=job.name,
        attribute=AuditAttribute(attribute), sub_attribute=sub_attribute,
        action=AuditAction(action), old_value=old, new_value=new, additional_info=info,
    )


def audit_entries(job_name: str | None = None) -> list[AuditLog]:
    """Rows in the order written, optionally of one job (by the name it had then)."""
    query = AuditLog.select().order_by(AuditLog.at, AuditLog.id)
    if job_name is not None:
        query = query.where(AuditLog.job_name == job_name)
    return list(query)
