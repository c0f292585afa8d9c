"""The admin's configuration: the PX connection, the two jobs, their validation and audit."""
