"""Events property tax writes to its outbox (charge requests to billing)."""
