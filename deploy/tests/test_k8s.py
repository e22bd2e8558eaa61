"""Kubernetes: every overlay renders with kustomize and validates strictly; nothing forgotten."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from portal_deploy.model import Installation
from portal_deploy.tools import kubectl

K8S = Path(__file__).resolve().parents[1] / "k8s"
OVERLAYS = sorted(p.parent.name for p in (K8S / "overlays").glob("*/kustomization.yaml"))
KUBERNETES_VERSION = kubernetes_validate.latest_version()


def render(overlay: str) -> list[dict[str, Any]]:
    tool = kubectl()
    if tool is None:
        pytest.skip("kubectl is not installed: skipped rendering the kustomize overlays")
    done = subprocess.run(
        [tool, "kustomize", str(K8S / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [d for d in yaml.safe_load_all(done.stdout) if d]


@pytest.fixture(scope="module", params=OVERLAYS)
def rendered(request: pytest.FixtureRequest) -> tuple[str, list[dict[str, Any]]]:
    return request.param, render(request.param)


def test_overlays_dev_and_prod_exist() -> None:
    assert {"dev", "prod"} <= set(OVERLAYS)


def test_every_manifest_is_valid_in_strict_mode(rendered: tuple[str, list[dict[str, Any]]]) -> None:
    overlay, docs = rendered
    errors = []
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            errors.append(f"{doc['kind']}/{doc['metadata']['name']}: {exc.message}")
    assert not errors, f"{overlay}: " + "; ".join(errors)
    assert len(docs) > 20


def test_strict_validation_does_catch_mistakes() -> None:
    bad = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"}, "spec": {"portz": []}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, KUBERNETES_VERSION, strict=True)


def by_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def test_every_service_runs_with_probes_limits_and_security(
    inst: Installation, rendered: tuple[str, list[dict[str, Any]]]
) -> None:
    _, docs = rendered
    deployments = by_kind(docs, "Deployment")
    for s in inst.services:
        dep = deployments.get(s.host)
        assert dep, f"{s.name}: no Deployment"
        pod = dep["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        (c,) = pod["containers"]
        assert c["resources"]["limits"]["cpu"] and c["resources"]["limits"]["memory"]
        assert c["resources"]["requests"]["cpu"] and c["resources"]["requests"]["memory"]
        sc = c["securityContext"]
        assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False
        assert sc["capabilities"]["drop"] == ["ALL"]
        for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
            probe = c[kind]
            if s.info.grpc_port:
                assert probe["grpc"]["port"] == s.info.grpc_port, (s.name, kind)
            else:
                assert probe["httpGet"]["path"] == "/healthz", (s.name, kind)
        env = {e["name"]: e.get("value") for e in c.get("env", [])}
        assert env[f"{s.prefix}BIND_HOST"] == "0.0.0.0"
        if s.info.has_database:
            assert env[f"{s.prefix}RUN_MIGRATIONS"] == "false"


def test_migrations_run_as_jobs(
    inst: Installation, rendered: tuple[str, list[dict[str, Any]]]
) -> None:
    _, docs = rendered
    jobs = by_kind(docs, "Job")
    for s in inst.services:
        if s.info.has_database:
            (c,) = jobs[f"{s.host}-migrate"]["spec"]["template"]["spec"]["containers"]
            assert c["command"] + c["args"] == ["python", "-m", s.name, "migrate"]


def test_pdbs_hpas_and_only_public_ingresses(
    inst: Installation, rendered: tuple[str, list[dict[str, Any]]]
) -> None:
    _, docs = rendered
    deployments = by_kind(docs, "Deployment")
    pdb_targets = {
        tuple(sorted(p["spec"]["selector"]["matchLabels"].items()))
        for p in by_kind(docs, "PodDisruptionBudget").values()
    }
    for name, dep in deployments.items():
        if (
            dep["metadata"]["labels"].get("app.kubernetes.io/part-of") == "portal-komunalny"
            and name != "mailsink"
        ):
            assert tuple(sorted(dep["spec"]["selector"]["matchLabels"].items())) in pdb_targets, (
                name
            )
    hpas = {
        h["spec"]["scaleTargetRef"]["name"]
        for h in by_kind(docs, "HorizontalPodAutoscaler").values()
    }
    assert {"gateway", "billing-consumer"} <= hpas
    for target in hpas:
        assert target in deployments
    ingresses = by_kind(docs, "Ingress")
    assert set(ingresses) == {s.host for s in inst.services if s.options.get("ingress_host")}
    assert "admin" not in ingresses and "gateway" in ingresses
    services = by_kind(docs, "Service")
    assert all(svc["spec"].get("type", "ClusterIP") == "ClusterIP" for svc in services.values())


def test_network_policies_guard_services_database_and_bus(
    inst: Installation, rendered: tuple[str, list[dict[str, Any]]]
) -> None:
    overlay, docs = rendered
    policies = by_kind(docs, "NetworkPolicy")
    assert policies["default-deny-ingress"]["spec"]["podSelector"] == {}
    for s in inst.services:
        if not (s.info.grpc_port or s.info.http_port):
            continue
        rules = policies[s.host]["spec"]["ingress"]
        if s.info.grpc_port:
            grpc = next(r for r in rules if r["ports"][0]["port"] == s.info.grpc_port)
            allowed = [f["podSelector"]["matchLabels"] for f in grpc["from"]]
            assert {"portal-komunalny/tier": "ui"} in allowed
            assert all("namespaceSelector" not in f for f in grpc["from"])
    nats_from = policies["nats"]["spec"]["ingress"][0]["from"]
    assert nats_from == [{"podSelector": {"matchLabels": {"portal-komunalny/tier": "backend"}}}]
    if overlay == "dev":
        assert policies["postgres"]["spec"]["ingress"][0]["from"][0]["podSelector"][
            "matchLabels"
        ] == {"portal-komunalny/tier": "backend"}


def test_nats_is_a_three_node_jetstream_cluster(rendered: tuple[str, list[dict[str, Any]]]) -> None:
    _, docs = rendered
    nats = by_kind(docs, "StatefulSet")["nats"]
    assert nats["spec"]["replicas"] == 3
    config = next(
        d
        for d in docs
        if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("nats-config")
    )
    text = config["data"]["nats.conf"]
    assert "jetstream" in text and text.count("nats-headless:6222") == 3


def pod_environment(docs: list[dict[str, Any]], container: dict[str, Any]) -> dict[str, str]:
    """The container's environment as the kubelet builds it: envFrom, then env with $(VAR)."""
    import base64
    import re

    maps = {d["metadata"]["name"]: d.get("data", {}) for d in docs if d["kind"] == "ConfigMap"}
    secrets = {
        d["metadata"]["name"]: {
            k: base64.b64decode(v).decode() for k, v in d.get("data", {}).items()
        }
        for d in docs
        if d["kind"] == "Secret"
    }
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env.update(maps[source["configMapRef"]["name"]])
        else:
            env.update(secrets[source["secretRef"]["name"]])
    for item in container.get("env", []):
        env[item["name"]] = re.sub(
            r"\$\((\w+)\)", lambda m: env.get(m[1], m[0]), item.get("value", "")
        )
    return env


def test_dev_overlay_gives_every_service_a_valid_production_configuration(
    inst: Installation, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from portal_deploy.envvars import settings_class

    docs = render("dev")
    deployments = by_kind(docs, "Deployment")
    for s in inst.services:
        (c,) = deployments[s.host]["spec"]["template"]["spec"]["containers"]
        env = pod_environment(docs, c)
        with monkeypatch.context() as m:
            for key in list(os.environ):
                if key.startswith((s.prefix, "PORTAL_", "OIDC_", "NATS_")):
                    m.delenv(key)
            for key, value in env.items():
                m.setenv(key, value)
            settings = settings_class(s.name)()
        assert settings.env == "production" and settings.bind_host == "0.0.0.0", s.name
        assert (settings.grpc_port, settings.http_port) == (s.info.grpc_port, s.info.http_port)
        assert settings.oidc_issuer == "http://login.localtest.me"
        if s.info.has_database:
            assert (
                settings.database_url.startswith(f"postgresql://{s.name}:")
                and not settings.run_migrations
            )
        assert "$(" not in " ".join(env.values()), s.name
    identity = pod_environment(
        docs, deployments["identity"]["spec"]["template"]["spec"]["containers"][0]
    )
    for s in inst.services:
        name = f"{s.prefix}OIDC_CLIENT_SECRET"
        if any(v.name == name for v in s.env):
            (c,) = deployments[s.host]["spec"]["template"]["spec"]["containers"]
            assert (
                pod_environment(docs, c)[name]
                == identity[f"IDENTITY_{s.name.upper()}_CLIENT_SECRET"]
            )
