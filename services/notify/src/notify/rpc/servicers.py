"""NotifyService over gRPC: convert, authorise, call the service layer."""

from __future__ import annotations

from typing import Any

from portal.notify.v1 import notify_pb2_grpc


class NotifyServicer(notify_pb2_grpc.NotifyServiceServicer):
    def __init__(self, notifier: Any) -> None:
        self.n = notifier
