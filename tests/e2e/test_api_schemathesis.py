"""The public API against its own OpenAPI document: schemathesis generates over 1 000 requests
(valid ones, half of them aimed at the resident's real kartoteka, and invalid ones); none may
end in a 5xx, and every response must match the documented status codes, types and schemas.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "services" / "gateway" / "tests"))

from threaded_stack import DEFINITIONS, threaded_system

PAYER = "P-000001"
PER_OPERATION = 45  # × ~16 operations × 2 modes ≥ 1 000 requests
POSITIVE_CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
NEGATIVE_CHECKS = [not_a_server_error, status_code_conformance, negative_data_rejection]
pytestmark = pytest.mark.timeout(900)


@pytest.fixture
async def databases(make_database):
    return {name: await make_database(d) for name, d in DEFINITIONS.items()}


@pytest.fixture
def system(databases, nats_url, issuer):
    with threaded_system(issuer, nats_url, databases) as s:
        yield s


def aim_at_own_data(case, ids):
    """Point path parameters at the resident's own objects (so real data is exercised too)."""
    for name in list(case.path_parameters or {}):
        if name in ids:
            case.path_parameters[name] = ids[name]
    return case


def runner(strategy, checks, headers, base_url, counted):
    """A hypothesis test sending the generated requests and validating the responses."""

    @given(case=strategy)
    @settings(
        max_examples=PER_OPERATION,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        counted["requests"] += 1
        if case.headers is None or "Authorization" not in case.headers:
            case.headers = {**(case.headers or {}), **headers}
        case.call_and_validate(base_url=base_url, checks=checks)

    return run


def test_api_matches_its_openapi(system, issuer, artifacts_dir):
    token = issuer.token("res-api", roles=["resident"], payers=[PAYER])
    headers = {"Authorization": f"Bearer {token}"}
    base = system.gateway_url
    with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
        premises = http.get(f"/api/v1/payers/{PAYER}/premises").json()
        docs = http.get(f"/api/v1/payers/{PAYER}/documents").json()
    ids = {
        "payer_id": PAYER,
        "premises_id": premises[0]["premises_id"] if premises else "x",
        "document_id": docs[0]["document_id"] if docs else "x",
        "reading_id": "x",
        "case_id": "x",
    }
    schema = schemathesis.openapi.from_url(f"{base}/api/v1/openapi.json")
    counted = {"requests": 0}
    failures: list[str] = []

    for result in schema.get_all_operations():
        operation = result.ok()
        for mode, checks in (
            (GenerationMode.POSITIVE, POSITIVE_CHECKS),
            (GenerationMode.NEGATIVE, NEGATIVE_CHECKS),
        ):
            strategy = operation.as_strategy(generation_mode=mode)
            if mode is GenerationMode.POSITIVE:
                strategy = st.one_of(strategy, strategy.map(lambda c: aim_at_own_data(c, ids)))

            run = runner(strategy, checks, headers, f"{base}/api/v1", counted)
            try:
                run()
            except Exception as exc:
                failures.append(f"{operation.label} [{mode.value}]: {exc}")
    summary = f"schemathesis: {counted['requests']} generated requests, {len(failures)} failures"
    Path(artifacts_dir, "api-schemathesis.txt").write_text(summary + "\n" + "\n".join(failures))
    assert not failures, "\n\n".join(failures)
    assert counted["requests"] >= 1000


def test_api_refuses_without_a_token_and_hides_other_payers(system, issuer):
    with httpx.Client(base_url=system.gateway_url, timeout=30) as http:
        anonymous = http.get(f"/api/v1/payers/{PAYER}/balance")
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"].startswith("Bearer")
        assert anonymous.json()["error"]["status"] == 401
        other = issuer.token("someone", roles=["resident"], payers=["P-999999"])
        hidden = http.get(
            f"/api/v1/payers/{PAYER}/balance", headers={"Authorization": f"Bearer {other}"}
        )
        assert hidden.status_code == 404
        mine = issuer.token("res-api", roles=["resident"], payers=[PAYER])
        auth = {"Authorization": f"Bearer {mine}"}
        balance = http.get(f"/api/v1/payers/{PAYER}/balance", headers=auth)
        assert balance.status_code == 200, balance.text
        bad = http.post(
            "/api/v1/contact/cases", headers=auth, json={"topic": "water", "subject": "x"}
        )
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "body"
        assert "openapi" in http.get("/api/v1/openapi.json").json()
        premises = http.get(f"/api/v1/payers/{PAYER}/premises", headers=auth).json()
        meters = [m for m in premises[0]["meters"] if m["active"]]
        reading = {
            "reading_date": "2026-11-20",
            "values": [{"meter_id": m["meter_id"], "value_m3": "999999"} for m in meters],
            "idempotency_key": uuid.uuid4().hex,
        }
        sent = http.post(
            f"/api/v1/premises/{premises[0]['premises_id']}/readings", headers=auth, json=reading
        )
        assert sent.status_code in (200, 422), sent.text
