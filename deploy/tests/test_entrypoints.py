"""Containers start the services with the very commands `make run` uses."""

from __future__ import annotations

import importlib
import re
import shlex
from pathlib import Path

import yaml
from portal_deploy.k8s_workloads import COMPONENT, deployment_name
from portal_deploy.model import Installation

from portal_platform import devrun

DEPLOY = Path(__file__).resolve().parents[1]


def make_run_commands(inst: Installation) -> dict[str, list[str]]:
    """`make run`'s Procfile lines, with `exec` and the interpreter's path normalised."""
    procs = devrun.processes(inst.root, [s.info for s in inst.services], "nats://127.0.0.1:4222")
    commands = {}
    for name, line in procs:
        words = shlex.split(line)
        if words[0] == "exec":
            words = words[1:]
        if Path(words[0]).name.startswith("python"):
            words[0] = "python"
        commands[name] = words
    return commands


def test_compose_runs_what_make_run_runs(inst: Installation) -> None:
    local = make_run_commands(inst)
    project = yaml.safe_load((DEPLOY / "compose" / "compose.yaml").read_text(encoding="utf-8"))
    for s in inst.services:
        entry = project["services"][s.host]
        assert entry["entrypoint"] + entry["command"] == local[s.name], s.name
        if s.info.has_database:
            migrate = project["services"][f"{s.host}-migrate"]
            assert migrate["entrypoint"] + migrate["command"] == [*local[s.name][:-1], "migrate"]


def test_kubernetes_runs_what_make_run_runs(inst: Installation) -> None:
    local = make_run_commands(inst)
    for s in inst.services:
        folder = DEPLOY / "k8s" / "base" / "services" / s.host
        for verb in s.processes:
            docs = list(
                yaml.safe_load_all((folder / f"{deployment_name(s, verb)}.yaml").read_text())
            )
            (c,) = docs[0]["spec"]["template"]["spec"]["containers"]
            assert c["command"] + c["args"] == [*local[s.name][:-1], verb], (s.name, verb)
            assert docs[0]["metadata"]["labels"]["app.kubernetes.io/component"] == COMPONENT[verb]


def test_image_default_command_is_serve_of_its_service() -> None:
    dockerfile = (DEPLOY / "docker" / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(
        r"""printf '#!/bin/sh\\nexec python -m %s "\$@"\\n' "\$\{SERVICE\}\"""", dockerfile
    )
    assert 'ENTRYPOINT ["/usr/local/bin/portal-service"]' in dockerfile
    assert 'CMD ["serve"]' in dockerfile
    assert re.search(r"^USER 10001:10001$", dockerfile, re.M)
    assert "HEALTHCHECK" in dockerfile


def test_split_worker_commands_exist(inst: Installation) -> None:
    """`relay` / `consume` Deployments only for services whose runner offers those commands."""
    for s in inst.services:
        if s.processes == ["serve"]:
            continue
        definition = importlib.import_module(f"{s.name}.app").definition
        if "relay" in s.processes:
            assert definition.outbox_table is not None, s.name
        if "consume" in s.processes:
            assert definition.subscriptions is not None, s.name


def test_scheduled_commands_exist(inst: Installation) -> None:
    for s in inst.services:
        for command in s.options.get("cronjobs", {}):
            definition = importlib.import_module(f"{s.name}.app").definition
            assert command in definition.commands, (s.name, command)
