"""A small bus over NATS JetStream so the rest of the code never imports nats-py."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import nats
from nats.aio.client import Client
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError

from portal_platform.errors import StartupError
from portal_platform.logging import get_logger

log = get_logger(__name__)

MSG_ID = "Nats-Msg-Id"
DLQ_SUBJECT_PREFIX = "portal.dlq."


async def _log_error(exc: Exception) -> None:
    log.warning("nats error", error=f"{type(exc).__name__}: {exc}")


async def _log_disconnect() -> None:
    log.warning("nats disconnected")


async def _log_reconnect() -> None:
    log.info("nats reconnected")


@dataclass(frozen=True)
class StreamSpec:
    """A JetStream stream; declared by its producer (and idempotently by consumers)."""

    name: str
    subjects: tuple[str, ...]
    max_age_days: float = 30.0
    duplicate_window_s: float = 120.0


def producer_stream(producer: str) -> StreamSpec:
    """The convention: one stream per producer, `PORTAL_<PRODUCER>` over `portal.<producer>.>`."""
    return StreamSpec(name=f"PORTAL_{producer.upper()}", subjects=(f"portal.{producer}.>",))


CHARGES_STREAM = StreamSpec(name="PORTAL_CHARGES", subjects=("portal.charges.>",))
DLQ_STREAM = StreamSpec(name="PORTAL_DLQ", subjects=(f"{DLQ_SUBJECT_PREFIX}>",), max_age_days=90)


@dataclass
class Message:
    """One delivered message, independent of nats-py."""

    subject: str
    data: bytes
    headers: dict[str, str]
    num_delivered: int
    raw: Any = field(repr=False)

    @property
    def msg_id(self) -> str:
        return self.headers.get(MSG_ID, "")

    async def ack(self) -> None:
        await self.raw.ack()

    async def nak(self, delay: float | None = None) -> None:
        await self.raw.nak(delay=delay)

    async def term(self) -> None:
        await self.raw.term()


class PullConsumer:
    """A durable pull consumer with explicit ack."""

    def __init__(self, sub: JetStreamContext.PullSubscription) -> None:
        self._sub = sub

    async def fetch(self, batch: int, timeout: float = 1.0) -> list[Message]:
        try:
            msgs = await self._sub.fetch(batch, timeout=timeout)
        except (TimeoutError, NatsTimeout):
            return []
        out = []
        for m in msgs:
            try:
                delivered = m.metadata.num_delivered
            except Exception:
                delivered = 1
            out.append(Message(m.subject, m.data, dict(m.headers or {}), delivered, m))
        return out

    async def unsubscribe(self) -> None:
        try:
            await self._sub.unsubscribe()
        except Exception:
            log.debug("unsubscribe failed", exc_info=True)


class Bus:
    """Connection to NATS with JetStream."""

    def __init__(self, nc: Client) -> None:
        self.nc = nc
        self.js: JetStreamContext = nc.jetstream(timeout=10)

    @classmethod
    async def connect(cls, url: str, *, name: str, attempts: int = 10) -> Bus:
        """Connect (retrying for a few seconds) or raise StartupError with one clear line."""
        last: Exception | None = None
        for attempt in range(attempts):
            try:
                nc = await nats.connect(
                    url,
                    name=name,
                    error_cb=_log_error,
                    disconnected_cb=_log_disconnect,
                    reconnected_cb=_log_reconnect,
                    connect_timeout=2,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=1,
                    allow_reconnect=True,
                )
                return cls(nc)
            except Exception as exc:
                last = exc
                await asyncio.sleep(min(0.2 * (attempt + 1), 1.0))
        raise StartupError(f"cannot connect to NATS at {url}: {last or 'no answer'}")

    async def ensure_stream(self, spec: StreamSpec) -> None:
        """Create the stream, or update it when its configuration differs."""
        config = StreamConfig(
            name=spec.name,
            subjects=list(spec.subjects),
            storage=StorageType.FILE,
            max_age=spec.max_age_days * 86400,
            duplicate_window=spec.duplicate_window_s,
        )
        try:
            await self.js.add_stream(config)
        except BadRequestError:
            await self.js.update_stream(config)

    async def publish(
        self, subject: str, data: bytes, *, msg_id: str, headers: dict[str, str] | None = None
    ) -> None:
        hdrs = {MSG_ID: msg_id, **(headers or {})}
        await self.js.publish(subject, data, headers=hdrs)

    async def publish_many(self, items: Sequence[tuple[str, bytes, str]]) -> None:
        """Publish (subject, data, msg_id) items concurrently; raise if any was not stored."""
        results = await asyncio.gather(
            *(self.js.publish(s, d, headers={MSG_ID: m}) for s, d, m in items),
            return_exceptions=True,
        )
        for r in results:
            if isinstance(r, BaseException):
                raise r

    async def pull_consumer(
        self,
        stream: StreamSpec,
        durable: str,
        subjects: Sequence[str],
        *,
        max_deliver: int = 5,
        ack_wait_s: float = 30.0,
        max_ack_pending: int = 20000,
    ) -> PullConsumer:
        await self.ensure_stream(stream)
        config = ConsumerConfig(
            durable_name=durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            max_deliver=max_deliver,
            ack_wait=ack_wait_s,
            max_ack_pending=max_ack_pending,
            filter_subjects=list(subjects) if len(subjects) > 1 else None,
            filter_subject=subjects[0] if len(subjects) == 1 else None,
        )
        await self.js.add_consumer(stream.name, config)
        sub = await self.js.pull_subscribe_bind(durable=durable, stream=stream.name)
        return PullConsumer(sub)

    async def delete_streams(self, prefix: str) -> None:
        """Delete every stream whose name starts with prefix (test isolation)."""
        try:
            infos = await self.js.streams_info()
        except NotFoundError:
            return
        for info in infos:
            if info.config.name and info.config.name.startswith(prefix):
                await self.js.delete_stream(info.config.name)

    async def close(self) -> None:
        if self.nc.is_connected:
            try:
                await self.nc.drain()
            except Exception:
                await self.nc.close()
