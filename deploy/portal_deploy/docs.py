"""The table of every environment variable in deploy/README.md (between the markers)."""

from __future__ import annotations

from portal_deploy.model import Installation, Value

BEGIN = "<!-- BEGIN GENERATED: environment (deploy/generate.py) -->"
END = "<!-- END GENERATED: environment -->"

INFRA = [
    ("PUBLISH_ADDRESS", "compose", "`0.0.0.0`", "host address the public ports are published on"),
    ("PUBLISH_<SERVICE>_PORT", "compose", "the service's port", "host port of a published service"),
    ("PORTAL_REGISTRY", "compose", "`portal-komunalny`", "image registry/prefix"),
    ("PORTAL_VERSION", "compose", "`latest`", "image tag"),
    ("POSTGRES_PASSWORD", "compose", "—", "PostgreSQL superuser password (secret)"),
    ("<SERVICE>_DB_PASSWORD", "compose", "—", "password of the service's database role (secret)"),
    (
        "FORWARDED_ALLOW_IPS",
        "HTTP services",
        "`127.0.0.1`",
        "proxies trusted for X-Forwarded-*; `*` in containers",
    ),
]


def _cell(text: str) -> str:
    text = text.replace("|", "\\|").replace("\n", " ")
    return f"`{text}`" if text else "—"


def deployed(v: Value) -> str:
    if v.kind == "fixed":
        return _cell(v.text)
    if v.kind == "public":
        return "from " + ", ".join(f"`{p.split('}')[0]}`" for p in v.text.split("{")[1:])
    if v.kind == "database":
        return "secret: built from `<SERVICE>_DB_PASSWORD` (compose) / `<svc>-secrets`"
    if v.kind == "secret":
        return "**secret, required**" + (f" (= `{v.source}`)" if v.source else "")
    return "secret, optional" if v.var is not None and v.var.secret else "default"


def table(inst: Installation) -> str:
    rows: dict[str, list[str]] = {}
    order: list[str] = []
    for s in inst.services:
        for v in s.values:
            var = v.var
            if var is None:
                continue
            if v.name in rows:
                rows[v.name][1] += f", {s.name}"
                continue
            order.append(v.name)
            rows[v.name] = [
                f"`{v.name}`",
                s.name,
                _cell(var.default),
                deployed(v),
                var.meaning or "—",
            ]
    lines = [
        "| variable | read by | default (local) | in containers | meaning |",
        "|---|---|---|---|---|",
    ]
    shared = [n for n in order if "," in rows[n][1]]
    for name in shared + [n for n in order if n not in shared]:
        lines.append("| " + " | ".join(rows[name]) + " |")
    lines += ["", "Set by the deployment only (not read by the services' settings):", ""]
    lines += ["| variable | used by | default | meaning |", "|---|---|---|---|"]
    lines += [f"| `{a}` | {b} | {c} | {d} |" for a, b, c, d in INFRA]
    lines += ["", "Kubernetes Secrets (one per service; the keys are the variables):", ""]
    lines += ["| Secret | required keys | optional keys |", "|---|---|---|"]
    for s in inst.services:
        required = [v.name for v in s.values if v.kind in ("database", "secret")]
        optional = [v.name for v in s.values if v.kind == "optional" and v.var and v.var.secret]
        lines.append(
            f"| `{s.host}-secrets` | {', '.join(f'`{n}`' for n in required) or '—'} "
            f"| {', '.join(f'`{n}`' for n in optional) or '—'} |"
        )
    return "\n".join(lines)


def render_readme(inst: Installation, current: str) -> str:
    """The README with its generated section replaced (kept as is when the markers are absent)."""
    if BEGIN not in current or END not in current:
        return current
    head, rest = current.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{table(inst)}\n{END}{tail}"
