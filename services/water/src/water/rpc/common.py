"""Helpers of the water gRPC servicers: the caller's scope and shared state."""

from __future__ import annotations

from portal_platform.auth import principal
from portal_platform.db import Database
from portal_platform.messaging.outbox import Outbox
from water.access import Scope
from water.policy import Policy


def scope() -> Scope:
    """The caller: staff and services see everything, residents their payers."""
    p = principal()
    return Scope(p.subject, None if p.is_staff else frozenset(p.payers))


def staff_scope() -> Scope:
    s = scope()
    s.require_staff()
    return s


class Base:
    """What every part of WaterService holds."""

    def __init__(self, db: Database, outbox: Outbox, policy: Policy) -> None:
        self.db = db
        self.outbox = outbox
        self.policy = policy
