"""Token verification cost per gRPC call, and login throughput bounded by argon2id.

    uv run --no-sync python bench/token_verify.py [--n 3000] [--logins 20]

identity runs in this process (SQLite scratch database, an embedded NATS) with its real
gRPC server; its TokenVerifier (the platform's, JWKS fetched once from identity's
/.well-known/jwks.json and then cached) is timed inside N real IdentityService.GetAccount
calls, each with a DISTINCT access token signed by identity (so every call checks an RS256
signature; nothing comes from the verified-token cache). Also shown: the same token again
(result cache hit) and the whole call's latency. Then N argon2id password verifications
with the parameters identity uses (`IDENTITY_ARGON2_*`) give the login ceiling per core.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "services" / "identity" / "tests"))


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def run(n: int, logins: int) -> None:
    from identity_test_helpers import make_resident, mint

    from identity.accounts.passwords import Passwords
    from identity.app import definition
    from portal.identity.v1 import identity_pb2, identity_pb2_grpc
    from portal_platform.logging import configure_logging
    from portal_platform.rpc.client import call_metadata, channel
    from portal_platform.service import Runtime
    from portal_platform.testing.backends import EmbeddedNats, free_port

    configure_logging("bench", json=False, level="WARNING")
    nats = EmbeddedNats().start()
    tmp = tempfile.TemporaryDirectory(prefix="bench-identity-")
    port = free_port()
    settings = definition.settings_cls.model_validate(
        {
            "env": "test",
            "nats_url": nats.url,
            "grpc_port": free_port(),
            "http_port": port,
            "oidc_issuer": f"http://127.0.0.1:{port}",
            "database_url": f"sqlite+aiosqlite:///{tmp.name}/id.db",
            "argon2_time_cost": 1,
            "argon2_memory_kib": 8192,
            "argon2_parallelism": 1,
        }
    )
    rt = Runtime(definition, settings)
    await rt.serve()
    try:
        await rt.state["keys"].refresh(rt.db, force=True)
        account = await make_resident(rt)
        tokens = [mint(rt, account, roles=["resident"], jti=str(i)) for i in range(n + 1)]
        spent: list[float] = []
        verifier = rt.verifier
        original = verifier.verify

        async def timed(token: str):  # type: ignore[no-untyped-def]
            start = time.perf_counter()
            try:
                return await original(token)
            finally:
                spent.append(time.perf_counter() - start)

        verifier.verify = timed  # type: ignore[method-assign]
        assert rt.grpc_server is not None
        async with channel(f"127.0.0.1:{rt.grpc_server.port}") as ch:
            stub = identity_pb2_grpc.IdentityServiceStub(ch)
            req = identity_pb2.GetAccountRequest(account_id=account)
            await stub.GetAccount(
                req, metadata=call_metadata(tokens[-1])
            )  # JWKS fetched here, once
            spent.clear()
            calls: list[float] = []
            for token in tokens[:n]:
                start = time.perf_counter()
                await stub.GetAccount(req, metadata=call_metadata(token))
                calls.append(time.perf_counter() - start)
            distinct = list(spent)
            spent.clear()
            for _ in range(n):
                await stub.GetAccount(req, metadata=call_metadata(tokens[0]))
            cached = list(spent)
    finally:
        await rt.close()
        nats.stop()
        tmp.cleanup()

    ms = [x * 1000 for x in distinct]
    say(
        f"machine: {platform.machine()} {platform.processor() or ''} cpus={os.cpu_count()} "
        f"python={platform.python_version()} load={os.getloadavg()[0]:.1f}; identity in-process, "
        f"SQLite, N={n} gRPC calls"
    )
    say(
        f"verify, distinct token per call (RS256 check, cached JWKS): mean {statistics.mean(ms):.4f} ms, "
        f"p50 {statistics.median(ms):.4f} ms, p95 {sorted(ms)[int(len(ms) * 0.95)]:.4f} ms"
    )
    say(
        f"verify, same token again (verified-token cache): mean {statistics.mean(cached) * 1000:.4f} ms"
    )
    say(
        f"whole GetAccount call incl. verify and a database read: mean {statistics.mean(calls) * 1000:.3f} ms"
    )

    defaults = definition.settings_cls.model_fields
    passwords = Passwords(
        time_cost=defaults["argon2_time_cost"].default,
        memory_kib=defaults["argon2_memory_kib"].default,
        parallelism=defaults["argon2_parallelism"].default,
    )
    stored = passwords.hash("Bardzo-Mocne-Haslo-2026!")
    start = time.perf_counter()
    for _ in range(logins):
        assert passwords.verify(stored, "Bardzo-Mocne-Haslo-2026!")
    per = (time.perf_counter() - start) / logins
    say(
        f"login ceiling: {passwords.describe()}: {per * 1000:.1f} ms per password check = "
        f"{1 / per:.1f} logins/s per worker process (bounded on purpose; {logins} checks)"
    )
    say(f"target ≤ 0.2 ms per verification: {'met' if statistics.mean(ms) <= 0.2 else 'NOT met'}")
    say(f"BENCH token_verify_ms {statistics.mean(ms):.4f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--logins", type=int, default=20)
    ns = parser.parse_args()
    asyncio.run(run(ns.n, ns.logins))


if __name__ == "__main__":
    main()
