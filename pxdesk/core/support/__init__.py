"""Support material an admin sends to whoever helps them: the support bundle."""
