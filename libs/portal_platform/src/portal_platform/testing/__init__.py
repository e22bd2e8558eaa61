"""Test support: backends (PostgreSQL/SQLite, NATS), per-test databases, a test signing key."""
