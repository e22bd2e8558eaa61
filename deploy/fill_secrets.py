"""Fills an .env example with fresh random secrets: `python3 deploy/fill_secrets.py EXAMPLE > .env`.

Standard library only, so it runs on a server without the project's environment. Every
`dev-insecure-change-me` becomes its own random value. A service's client secret in a
`name=secret,...` list (IDENTITY_SERVICE_CLIENTS) is also written to `<NAME>_SERVICE_CLIENT_SECRET`,
so both sides match.
"""

from __future__ import annotations

import re
import secrets
import sys
from pathlib import Path

DEV_SECRET = "dev-insecure-change-me"
LINE = re.compile(r"^(?P<comment>#\s*)?(?P<name>[A-Z][A-Z0-9_]*)=(?P<value>.*)$")
PAIR = re.compile(r"(?P<client>[a-z][a-z0-9_]*)=" + re.escape(DEV_SECRET))


def fresh() -> str:
    return secrets.token_urlsafe(32)


def fill(text: str) -> str:
    """The example with every development secret replaced; client secrets kept in step."""
    clients: dict[str, str] = {}
    out = []
    for line in text.splitlines():
        m = LINE.match(line)
        if m and not m["comment"] and DEV_SECRET in m["value"]:

            def pair(p: re.Match[str]) -> str:
                clients[p["client"]] = clients.get(p["client"]) or fresh()
                return f"{p['client']}={clients[p['client']]}"

            value = PAIR.sub(pair, m["value"])
            while DEV_SECRET in value:
                value = value.replace(DEV_SECRET, fresh(), 1)
            line = f"{m['name']}={value}"
        out.append(line)
    text = "\n".join(out) + "\n"
    for client, value in clients.items():
        name = f"{client.upper()}_SERVICE_CLIENT_SECRET"
        pattern = re.compile(rf"^#?\s*{name}=.*$", re.M)
        if pattern.search(text):
            text = pattern.sub(f"{name}={value}", text)
    return text


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    sys.stdout.write(fill(Path(argv[0]).read_text(encoding="utf-8")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
