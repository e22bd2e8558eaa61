"""deploy/docker/Dockerfile read by BuildKit's own parser (the `dockerfile` package)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[1]
ROOT = DEPLOY.parent
dockerfile = pytest.importorskip(
    "dockerfile", reason="the `dockerfile` package (BuildKit parser) is not installed"
)


@pytest.fixture(scope="module")
def commands() -> list[dockerfile.Command]:
    return list(dockerfile.parse_file(str(DEPLOY / "docker" / "Dockerfile")))


def stages(commands: list[dockerfile.Command]) -> list[list[dockerfile.Command]]:
    found: list[list[dockerfile.Command]] = []
    for c in commands:
        if c.cmd == "FROM":
            found.append([])
        if found:
            found[-1].append(c)
    return found


def test_multi_stage_runtime_is_non_root_with_healthcheck(
    commands: list[dockerfile.Command],
) -> None:
    build, runtime = stages(commands)
    assert build[0].value[-1] == "build" and runtime[0].value[-1] == "runtime"
    last = {c.cmd: c for c in runtime}
    assert last["USER"].value == ("10001:10001",)
    assert last["HEALTHCHECK"].value == ("CMD", "python", "/opt/portal/healthcheck.py")
    assert last["ENTRYPOINT"].value == ("/usr/local/bin/portal-service",)
    assert last["CMD"].value == ("serve",)
    copies = [c for c in runtime if c.cmd == "COPY"]
    assert any(c.flags == ("--from=build",) for c in copies)


def test_run_scripts_are_valid_shell(commands: list[dockerfile.Command]) -> None:
    for c in commands:
        if c.cmd == "RUN":
            done = subprocess.run(
                ["sh", "-n", "-c", c.value[0]], capture_output=True, text=True, check=False
            )
            assert done.returncode == 0, f"line {c.start_line}: {done.stderr}"


def test_build_installs_locked_dependencies_and_generates_protobuf(
    commands: list[dockerfile.Command],
) -> None:
    runs = " ".join(c.value[0] for c in commands if c.cmd == "RUN")
    assert 'uv sync --locked --no-dev --package "${SERVICE}"' in runs
    assert "python -m grpc_tools.protoc -I proto" in runs


def test_copied_sources_exist(commands: list[dockerfile.Command]) -> None:
    for c in commands:
        if c.cmd == "COPY" and not any(f.startswith("--from") for f in c.flags):
            for source in c.value[:-1]:
                if "[" in source:  # optional file (uv.loc[k])
                    continue
                assert (ROOT / source).exists(), source
