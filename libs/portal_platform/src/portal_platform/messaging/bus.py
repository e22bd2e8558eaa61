"""A small bus over NATS JetStream so the rest of the code never imports nats-py."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError

from portal_platform.errors import StartupError
from portal_platform.logging import get_logger

log = get_logger(__name__)

MSG_ID = "Nats-Msg-Id"
JS_API_PREFIX = "$JS.API"
STATUS_HEADER = "Status"  # set by the server on status replies, e.g. 503 no responders
DLQ_SUBJECT_PREFIX = "portal.dlq."


async def _log_error(exc: Exception) -> None:
    log.warning("nats error", error=f"{type(exc).__name__}: {exc}")


_closing: set[int] = set()  # ids of clients being closed on purpose (no disconnect warning)


async def _log_disconnect() -> None:
    if not _closing:
        log.warning("nats disconnected")


async def _log_reconnect() -> None:
    log.info("nats reconnected")


class PublishError(Exception):
    """JetStream did not store (acknowledge) every published message."""


class FetchError(Exception):
    """The server refused a pull request (other than no messages or expiry)."""


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
    raw: Any = field(repr=False)

    @cached_property
    def num_delivered(self) -> int:
        """Deliveries so far; parsed from the ack subject only when asked (on failures)."""
        try:
            return int(self.raw.metadata.num_delivered)
        except Exception:
            return 1

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
    """A durable pull consumer with explicit ack.

    Pull requests go to `$JS.API.CONSUMER.MSG.NEXT.<stream>.<durable>`, each with its own
    reply subject `<inbox>.<n>` (the server's end-of-request status names the request);
    one callback subscription buffers the messages. nats-py's `fetch` spends a task, a
    future and a timer on every message; this is about a quarter of its CPU.
    """

    def __init__(self, nc: Client, stream: str, durable: str) -> None:
        self._nc = nc
        self._next_subject = f"{JS_API_PREFIX}.CONSUMER.MSG.NEXT.{stream}.{durable}"
        self._inbox = nc.new_inbox()
        self._requests = 0
        self._reply = ""  # reply subject of the latest request
        self._request_over = False
        self._error = ""
        self._buffer: deque[Msg] = deque()
        self._arrived = asyncio.Event()
        self._sub: Subscription | None = None

    async def start(self) -> None:
        self._sub = await self._nc.subscribe(f"{self._inbox}.*", cb=self._on_message)

    async def _on_message(self, msg: Msg) -> None:
        headers = msg.headers or {}
        status = headers.get(STATUS_HEADER)
        if not status:
            self._buffer.append(msg)
        elif status == "100" or msg.subject != self._reply:
            return  # heartbeat, flow control, or the end of an earlier request
        else:
            # The latest request is over: 404 no messages, 408 expired; anything else
            # (409 consumer deleted, leadership change, ...) is reported by `fetch`.
            self._request_over = True
            if status not in ("404", "408"):
                self._error = f"{status} {headers.get('Description', '')}".strip()
        self._arrived.set()

    async def _pull(self, batch: int, timeout: float, *, no_wait: bool) -> None:
        """Ask for `batch` messages; wait until they came, the request ended, or timeout."""
        request: dict[str, Any] = {"batch": batch}
        if no_wait:
            request["no_wait"] = True
        else:
            request["expires"] = max(int(timeout * 1e9) - 100_000, 1_000_000)
        self._requests += 1
        self._reply = f"{self._inbox}.{self._requests}"
        self._request_over = False
        self._arrived.clear()
        await self._nc.publish(self._next_subject, json.dumps(request).encode(), reply=self._reply)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(self._buffer) < batch and not self._request_over:
            if self._buffer and not no_wait:
                return  # a waiting request got its first messages: hand them over now
            try:
                await asyncio.wait_for(self._arrived.wait(), deadline - loop.time())
            except TimeoutError:
                return
            self._arrived.clear()

    async def fetch(self, batch: int, timeout: float = 1.0) -> list[Message]:
        """Up to `batch` messages: buffered ones, else what the stream has, else the first
        to arrive within `timeout`; an empty list when there is nothing."""
        if not self._buffer:
            await self._pull(batch, timeout, no_wait=True)
        if not self._buffer:
            await self._pull(batch, timeout, no_wait=False)
        if self._error:
            error, self._error = self._error, ""
            raise FetchError(f"pull request failed: {error}")
        taken = [self._buffer.popleft() for _ in range(min(batch, len(self._buffer)))]
        return [Message(m.subject, m.data, dict(m.headers or {}), m) for m in taken]

    async def unsubscribe(self) -> None:
        """Stop; messages delivered but not fetched are nak'ed for immediate redelivery."""
        try:
            if self._sub is not None:
                await self._sub.unsubscribe()
            while self._buffer:
                await self._buffer.popleft().nak()
        except Exception:
            log.debug("unsubscribe failed", exc_info=True)


class Bus:
    """Connection to NATS with JetStream."""

    def __init__(self, nc: Client, *, stream_replicas: int = 1) -> None:
        self.nc = nc
        self.stream_replicas = stream_replicas  # 3 on a 3-node JetStream cluster
        self.js: JetStreamContext = nc.jetstream(timeout=10)

    @classmethod
    async def connect(
        cls, url: str, *, name: str, attempts: int = 10, stream_replicas: int = 1
    ) -> Bus:
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
                return cls(nc, stream_replicas=stream_replicas)
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
            num_replicas=self.stream_replicas,
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

    async def publish_many(
        self, items: Sequence[tuple[str, bytes, str]], *, timeout: float = 10.0
    ) -> None:
        """Publish (subject, data, msg_id) items all in flight at once; raise unless each was stored.

        One reply subscription per call collects the PubAcks (`<inbox>.<index>`), instead of
        a request, a future and a timer per message (about a quarter of the client CPU).
        """
        if not items:
            return
        inbox = self.nc.new_inbox()
        acked = bytearray(len(items))
        left = len(items)
        errors: list[str] = []
        done = asyncio.get_running_loop().create_future()

        async def on_ack(msg: Msg) -> None:
            nonlocal left
            index = int(msg.subject.rsplit(".", 1)[1])
            if acked[index]:
                return
            acked[index] = 1
            left -= 1
            if msg.headers and msg.headers.get(STATUS_HEADER):
                errors.append(
                    f"{items[index][0]}: status {msg.headers[STATUS_HEADER]} (no stream?)"
                )
            elif b'"error"' in msg.data:
                error = json.loads(msg.data)["error"]
                errors.append(f"{items[index][0]}: {error.get('description') or error}")
            if left == 0 and not done.done():
                done.set_result(None)

        sub = await self.nc.subscribe(f"{inbox}.*", cb=on_ack)
        try:
            for index, (subject, data, msg_id) in enumerate(items):
                await self.nc.publish(
                    subject, data, reply=f"{inbox}.{index}", headers={MSG_ID: msg_id}
                )
            await asyncio.wait_for(done, timeout)
        except TimeoutError:
            raise PublishError(f"{left} of {len(items)} not acknowledged in {timeout} s") from None
        finally:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()
        if errors:
            raise PublishError(f"{len(errors)} of {len(items)} not stored, e.g. {errors[0]}")

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
        pull = PullConsumer(self.nc, stream.name, durable)
        await pull.start()
        return pull

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
        _closing.add(id(self))
        try:
            if self.nc.is_connected:
                try:
                    await self.nc.drain()
                except Exception:
                    await self.nc.close()
        finally:
            _closing.discard(id(self))
