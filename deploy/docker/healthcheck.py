"""Container health check: gRPC health for gRPC services, GET /healthz for HTTP ones."""

from __future__ import annotations

import os
import sys
import tomllib
import urllib.request
from pathlib import Path

TIMEOUT_S = 4.0


def ports(service: str, root: Path) -> tuple[int, int]:
    """The service's gRPC and HTTP ports: the environment, else services/<svc>/pyproject.toml."""
    data = tomllib.loads((root / "services" / service / "pyproject.toml").read_text("utf-8"))
    portal = data.get("tool", {}).get("portal", {})
    prefix = service.upper()
    grpc_port = int(os.environ.get(f"{prefix}_GRPC_PORT", portal.get("grpc_port", 0)))
    http_port = int(os.environ.get(f"{prefix}_HTTP_PORT", portal.get("http_port", 0)))
    return grpc_port, http_port


def grpc_ok(port: int) -> bool:
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        reply = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=TIMEOUT_S)
    return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)


def http_ok(port: int) -> bool:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=TIMEOUT_S) as resp:
        return bool(resp.status == 200)


def main() -> int:
    service = os.environ.get("PORTAL_SERVICE", "")
    root = Path(os.environ.get("PORTAL_ROOT", "/app"))
    if not service:
        print("healthcheck: PORTAL_SERVICE is not set", file=sys.stderr)
        return 1
    grpc_port, http_port = ports(service, root)
    checks = ([("gRPC", grpc_port, grpc_ok)] if grpc_port else []) + (
        [("HTTP", http_port, http_ok)] if http_port else []
    )
    failed = []
    for kind, port, check in checks:
        try:
            if not check(port):
                failed.append(f"{kind} {port}: not serving")
        except Exception as exc:
            failed.append(f"{kind} {port}: {exc.__class__.__name__}: {exc}")
    for line in failed:
        print(f"healthcheck {service}: {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
