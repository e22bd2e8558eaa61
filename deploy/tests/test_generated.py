"""The committed generated files are what deploy/generate.py writes today."""

from __future__ import annotations

from portal_deploy.files import generated_files
from portal_deploy.model import Installation


def test_generated_files_are_up_to_date(inst: Installation) -> None:
    stale = [
        str(path.relative_to(inst.root))
        for path, text in generated_files(inst).items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    assert not stale, (
        "deployment files are out of date (a service, port or setting changed); run\n"
        "  uv run --no-sync python deploy/generate.py\nand commit: " + ", ".join(stale)
    )


def test_every_service_folder_is_generated(inst: Installation) -> None:
    names = {s.name for s in inst.services}
    folders = {p.parent.name for p in (inst.root / "services").glob("*/pyproject.toml")}
    assert names == folders
    for s in inst.services:
        assert (
            inst.root / "deploy" / "k8s" / "base" / "services" / s.host / "kustomization.yaml"
        ).exists()
