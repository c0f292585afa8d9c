"""The logs: execution, request and record logs of runs, their files, the audit log of job
changes, the connection log, and CSV export."""
