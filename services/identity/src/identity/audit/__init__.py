"""Audit log: every account state change and clerk action (who, what, when, where from)."""
