"""Kubernetes objects of one service: Deployments, Job, Service, PDB, HPA, NetworkPolicy, Ingress."""

from __future__ import annotations

from typing import Any

from portal_deploy.model import Installation, Service, Value

PART_OF = "portal-komunalny"
UI = ("gateway", "admin")
SHARED = ("PORTAL_ENV", "NATS_URL", "OIDC_JWKS_URL", "OIDC_ISSUER")
INGRESS_NAMESPACE = "ingress-nginx"
UID = 10001


def tier(s: Service) -> str:
    return "ui" if s.name in UI else "backend"


def labels(s: Service, component: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": s.host,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": PART_OF,
        "portal-komunalny/tier": tier(s),
    }


def selector(s: Service, component: str) -> dict[str, str]:
    return {"app.kubernetes.io/name": s.host, "app.kubernetes.io/component": component}


def env_value(v: Value) -> str:
    if v.kind == "public":
        return v.text.replace("{", "$(").replace("}", ")")
    return v.text


def container_env(s: Service) -> list[dict[str, str]]:
    """Per-service values; shared ones come from the portal-config ConfigMap."""
    env = [
        {"name": v.name, "value": env_value(v)}
        for v in s.values
        if v.kind in ("fixed", "public") and v.name not in SHARED
    ]
    if s.info.http_port:  # behind the ingress controller: trust its X-Forwarded-* headers
        env.append({"name": "FORWARDED_ALLOW_IPS", "value": "*"})
    if len(s.processes) > 1:  # relay and consumers run in their own Deployments
        env.append({"name": f"{s.prefix}IN_PROCESS_WORKERS", "value": "false"})
    return env


def ports(s: Service) -> list[dict[str, Any]]:
    found = []
    if s.info.grpc_port:
        found.append({"name": "grpc", "containerPort": s.info.grpc_port, "protocol": "TCP"})
    if s.info.http_port:
        found.append({"name": "http", "containerPort": s.info.http_port, "protocol": "TCP"})
    return found


def probe(s: Service, **timing: int) -> dict[str, Any]:
    if s.info.grpc_port:
        check: dict[str, Any] = {"grpc": {"port": s.info.grpc_port}}
    else:
        check = {"httpGet": {"path": "/healthz", "port": "http"}}
    return {**check, "timeoutSeconds": 3, **timing}


def container(s: Service, verb: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": s.host,
        "image": f"portal-komunalny/{s.host}",
        "imagePullPolicy": "IfNotPresent",
        "command": s.command()[:3],
        "args": [verb],
    }
    if verb == "serve" and ports(s):
        body["ports"] = ports(s)
    env_from: list[dict[str, Any]] = [
        {"configMapRef": {"name": "portal-config"}},
        {"configMapRef": {"name": f"{s.host}-config"}},
        {"secretRef": {"name": f"{s.host}-secrets"}},
    ]
    body["envFrom"] = env_from
    body["env"] = container_env(s)
    if verb == "serve" and ports(s):
        body["startupProbe"] = probe(s, periodSeconds=2, failureThreshold=60)
        body["readinessProbe"] = probe(s, periodSeconds=10, failureThreshold=3)
        body["livenessProbe"] = probe(s, periodSeconds=20, failureThreshold=3)
    res = s.options
    body["resources"] = {"requests": dict(res["requests"]), "limits": dict(res["limits"])}
    body["securityContext"] = {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }
    body["volumeMounts"] = [{"name": "tmp", "mountPath": "/tmp"}]
    return body


def pod_spec(s: Service, verb: str, restart: str = "Always") -> dict[str, Any]:
    spec: dict[str, Any] = {
        "serviceAccountName": "portal",
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,  # no <SERVICE>_PORT variables clashing with settings
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": UID,
            "runAsGroup": UID,
            "fsGroup": UID,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "terminationGracePeriodSeconds": 40,
        "containers": [container(s, verb)],
        "volumes": [{"name": "tmp", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}}],
    }
    if restart != "Always":
        spec["restartPolicy"] = restart
    return spec


COMPONENT = {"serve": "server", "relay": "relay", "consume": "consumer"}


def deployment_name(s: Service, verb: str) -> str:
    return s.host if verb == "serve" else f"{s.host}-{COMPONENT[verb]}"


def autoscaled(s: Service, verb: str) -> dict[str, Any] | None:
    key = "hpa" if verb == "serve" else f"{COMPONENT[verb]}_hpa"
    hpa = s.options.get(key)
    return hpa if isinstance(hpa, dict) else None


def deployment(s: Service, verb: str) -> dict[str, Any]:
    component = COMPONENT[verb]
    spec: dict[str, Any] = {}
    if not autoscaled(s, verb):
        spec["replicas"] = int(s.options["replicas"]) if verb != "relay" else 1
    spec.update(
        {
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": selector(s, component)},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
            },
            "template": {
                "metadata": {"labels": labels(s, component)},
                "spec": {
                    **pod_spec(s, verb),
                    "topologySpreadConstraints": [
                        {
                            "maxSkew": 1,
                            "topologyKey": "kubernetes.io/hostname",
                            "whenUnsatisfiable": "ScheduleAnyway",
                            "labelSelector": {"matchLabels": selector(s, component)},
                        }
                    ],
                },
            },
        }
    )
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": deployment_name(s, verb), "labels": labels(s, component)},
        "spec": spec,
    }


def migrate_job(s: Service) -> dict[str, Any]:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": f"{s.host}-migrate",
            "labels": labels(s, "migrate"),
            "annotations": {  # Argo CD runs it before the new Deployments; plain kubectl: see README
                "argocd.argoproj.io/hook": "PreSync",
                "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
            },
        },
        "spec": {
            "backoffLimit": 4,
            "activeDeadlineSeconds": 1800,
            "ttlSecondsAfterFinished": 3600,
            "template": {
                "metadata": {"labels": labels(s, "migrate")},
                "spec": pod_spec(s, "migrate", restart="Never"),
            },
        },
    }


def cronjob(s: Service, command: str, schedule: str) -> dict[str, Any]:
    """A service command run on a schedule (`python -m <service> <command>`)."""
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": f"{s.host}-{command}", "labels": labels(s, "cron")},
        "spec": {
            "schedule": schedule,
            "timeZone": "Europe/Warsaw",
            "concurrencyPolicy": "Forbid",
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 3,
            "jobTemplate": {
                "spec": {
                    "backoffLimit": 2,
                    "template": {
                        "metadata": {"labels": labels(s, "cron")},
                        "spec": pod_spec(s, command, restart="Never"),
                    },
                }
            },
        },
    }


def k8s_service(s: Service) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": s.host, "labels": labels(s, "server")},
        "spec": {
            "type": "ClusterIP",
            "selector": selector(s, "server"),
            "ports": [
                {
                    "name": p["name"],
                    "port": p["containerPort"],
                    "targetPort": p["name"],
                    "protocol": "TCP",
                }
                for p in ports(s)
            ],
        },
    }


def pdb(s: Service, verb: str) -> dict[str, Any]:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": deployment_name(s, verb), "labels": labels(s, COMPONENT[verb])},
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector(s, COMPONENT[verb])}},
    }


def hpa(s: Service, verb: str) -> dict[str, Any]:
    conf = autoscaled(s, verb) or {}
    name = deployment_name(s, verb)
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": name, "labels": labels(s, COMPONENT[verb])},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
            "minReplicas": int(conf.get("min", 2)),
            "maxReplicas": int(conf.get("max", 6)),
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {
                            "type": "Utilization",
                            "averageUtilization": int(conf.get("cpu", 70)),
                        },
                    },
                }
            ],
        },
    }


def grpc_callers(inst: Installation, target: Service) -> list[str]:
    """Services whose settings point at the target's gRPC address (discovered, not listed)."""
    needle = f"{target.host}:{target.info.grpc_port}"
    return sorted(
        s.host
        for s in inst.services
        if s.name not in UI
        and s is not target
        and any(v.kind == "fixed" and needle in v.text for v in s.values)
    )


def _from_pods(match: dict[str, str]) -> dict[str, Any]:
    return {"podSelector": {"matchLabels": match}}


def network_policy(inst: Installation, s: Service) -> dict[str, Any]:
    """Who may reach the service: the UIs and discovered callers (gRPC); see README."""
    rules: list[dict[str, Any]] = []
    if s.info.grpc_port:
        sources = [_from_pods({"portal-komunalny/tier": "ui"})]
        sources += [_from_pods({"app.kubernetes.io/name": c}) for c in grpc_callers(inst, s)]
        rules.append({"from": sources, "ports": [{"protocol": "TCP", "port": s.info.grpc_port}]})
    if s.info.http_port:
        sources = [_from_pods({"app.kubernetes.io/part-of": PART_OF})]
        if s.options.get("ingress_host"):
            sources.append(
                {
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": INGRESS_NAMESPACE}
                    }
                }
            )
        if s.options.get("publish") == "localhost":
            sources.append(_from_pods({"portal-komunalny/admin-access": "true"}))
        rules.append({"from": sources, "ports": [{"protocol": "TCP", "port": s.info.http_port}]})
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": s.host, "labels": labels(s, "server")},
        "spec": {
            "podSelector": {"matchLabels": selector(s, "server")},
            "policyTypes": ["Ingress"],
            "ingress": rules,
        },
    }


def ingress(s: Service) -> dict[str, Any]:
    host = s.options["ingress_host"]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": s.host,
            "labels": labels(s, "server"),
            "annotations": {"nginx.ingress.kubernetes.io/proxy-body-size": "12m"},
        },
        "spec": {
            "ingressClassName": "nginx",
            "tls": [{"hosts": [host], "secretName": f"{s.host}-tls"}],
            "rules": [
                {
                    "host": host,
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {"service": {"name": s.host, "port": {"name": "http"}}},
                            }
                        ]
                    },
                }
            ],
        },
    }
