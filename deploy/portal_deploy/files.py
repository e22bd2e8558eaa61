"""Every generated file and its text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from portal_deploy import compose, docs, k8s_layout
from portal_deploy.model import Installation


class _Dumper(yaml.SafeDumper):
    """Block style, no aliases, long strings kept on one line."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(data: Any, header: str = "") -> str:
    return header + yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        width=4096,
        allow_unicode=True,
    )


def dump_all(docs: list[Any], header: str = "") -> str:
    return header + yaml.dump_all(
        docs,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        width=4096,
        allow_unicode=True,
    )


def generated_files(inst: Installation) -> dict[Path, str]:
    deploy = inst.root / "deploy"
    files = {
        deploy / "compose" / "compose.yaml": dump(compose.compose(inst), compose.HEADER),
        deploy / "compose" / ".env.example": compose.env_example(inst),
    }
    files.update(k8s_files(inst))
    readme = deploy / "README.md"
    if readme.exists():
        files[readme] = docs.render_readme(inst, readme.read_text(encoding="utf-8"))
    return files


def k8s_files(inst: Installation) -> dict[Path, str]:
    out = {}
    for path, data in k8s_layout.generated(inst).items():
        out[path] = (
            dump_all(data, k8s_layout.HEADER)
            if isinstance(data, list)
            else dump(data, k8s_layout.HEADER)
        )
    script = inst.root / "deploy" / "postgres" / "init-databases.sh"
    out[inst.root / "deploy" / "k8s" / "overlays" / "dev" / "generated" / "init-databases.sh"] = (
        script.read_text(encoding="utf-8")
    )
    return out
