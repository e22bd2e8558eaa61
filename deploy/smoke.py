"""Smoke test of a running installation through its public addresses (`make compose-up` ends with it).

`python3 deploy/smoke.py [ENV_FILE]` reads PORTAL_URL and OIDC_ISSUER from the .env file (default
deploy/compose/.env; the environment wins) and checks, retrying for up to SMOKE_TIMEOUT_S seconds (300):
the gateway's /healthz and home page, and identity's OpenID Connect discovery. Standard library only.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

DEFAULT_ENV = Path(__file__).resolve().parent / "compose" / ".env"


def read_env(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            name, sep, value = line.partition("=")
            if sep and not name.lstrip().startswith("#"):
                values[name.strip()] = value.strip()
    return {**values, **{k: v for k, v in os.environ.items() if k in ("PORTAL_URL", "OIDC_ISSUER")}}


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""


def checks(portal: str, issuer: str) -> list[tuple[str, str, Callable[[int, str], bool]]]:
    return [
        (
            "gateway health",
            f"{portal}/healthz",
            lambda code, body: code == 200 and "SERVING" in body,
        ),
        (
            "gateway home page",
            f"{portal}/",
            lambda code, body: code == 200 and "<html" in body.lower(),
        ),
        (
            "OIDC discovery",
            f"{issuer}/.well-known/openid-configuration",
            lambda code, body: (
                code == 200 and json.loads(body).get("issuer", "").rstrip("/") == issuer
            ),
        ),
    ]


def main(argv: list[str]) -> int:
    env = read_env(Path(argv[0]) if argv else DEFAULT_ENV)
    portal = env.get("PORTAL_URL", "http://localhost:8000").rstrip("/")
    issuer = env.get("OIDC_ISSUER", "http://localhost:8002").rstrip("/")
    deadline = time.monotonic() + float(os.environ.get("SMOKE_TIMEOUT_S", "300"))
    failed = 0
    for name, url, ok in checks(portal, issuer):
        while True:
            try:
                code, body = fetch(url)
                passed = ok(code, body)
            except (OSError, ValueError) as exc:
                code, passed = str(exc), False
            if passed or time.monotonic() > deadline:
                break
            time.sleep(2)
        print(f"{'ok  ' if passed else 'FAIL'} {name}: {url} ({code})")
        failed += not passed
    print(f"smoke: {3 - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
