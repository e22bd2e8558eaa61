"""gRPC bootstrap: auth on every call, domain errors → status, internals hidden, health."""

from __future__ import annotations

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from portal.billing.v1 import billing_pb2, billing_pb2_grpc
from portal_platform.auth import TokenVerifier, principal
from portal_platform.errors import InvalidArgument, NotFound
from portal_platform.logging import request_id_var
from portal_platform.rpc.client import call, call_metadata
from portal_platform.rpc.server import Registration, start_server
from portal_platform.testing.keys import TestIssuer

seen_request_ids: list[str] = []


class Servicer(billing_pb2_grpc.BillingServiceServicer):
    async def ListCharges(self, request, context):
        seen_request_ids.append(request_id_var.get())
        principal().require_payer(request.payer_id)
        if request.module == "invalid":
            raise InvalidArgument("Nieprawidłowy moduł.", field="module")
        if request.module == "missing":
            raise NotFound("Nie ma takiej kartoteki.")
        if request.module == "boom":
            raise RuntimeError("secret internals: password=hunter2")
        return billing_pb2.ListChargesResponse()


@pytest.fixture
async def server():
    iss = TestIssuer()
    verifier = TokenVerifier(issuer=iss.issuer, audience=iss.audience, jwks=iss.jwks)
    srv = await start_server(
        [
            Registration(
                billing_pb2_grpc.add_BillingServiceServicer_to_server,
                Servicer(),
                "portal.billing.v1.BillingService",
            )
        ],
        host="127.0.0.1",
        port=0,
        verifier=verifier,
    )
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{srv.port}")
    yield iss, srv, channel
    await channel.close()
    await srv.stop(0)


async def test_errors_are_mapped_and_internals_hidden(server):
    iss, _srv, channel = server
    stub = billing_pb2_grpc.BillingServiceStub(channel)
    token = iss.token(payers=["P-1"])
    md = [*call_metadata(token), ("x-request-id", "req-123")]
    await stub.ListCharges(billing_pb2.ListChargesRequest(payer_id="P-1"), metadata=md)
    assert seen_request_ids[-1] == "req-123"

    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.ListCharges(
            billing_pb2.ListChargesRequest(payer_id="P-1", module="invalid"), metadata=md
        )
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert err.value.details() == "Nieprawidłowy moduł."
    trailing = dict(err.value.trailing_metadata())
    assert trailing["portal-error-field"] == "module"

    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.ListCharges(
            billing_pb2.ListChargesRequest(payer_id="P-1", module="boom"), metadata=md
        )
    assert err.value.code() == grpc.StatusCode.INTERNAL
    assert "hunter2" not in (err.value.details() or "")

    with pytest.raises(NotFound, match="Nie ma takiej kartoteki"):
        await call(
            stub.ListCharges,
            billing_pb2.ListChargesRequest(payer_id="P-1", module="missing"),
            token=token,
        )


async def test_every_method_requires_a_token(server):
    iss, _srv, channel = server
    stub = billing_pb2_grpc.BillingServiceStub(channel)
    for md in ([], [("authorization", "Bearer garbage")], [("authorization", "Basic abc")]):
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await stub.ListCharges(billing_pb2.ListChargesRequest(payer_id="P-1"), metadata=md)
        assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await stub.ListCharges(
            billing_pb2.ListChargesRequest(payer_id="P-2"),
            metadata=call_metadata(iss.token(payers=["P-1"])),
        )
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_health_serving_then_not_serving_on_shutdown(server):
    _iss, srv, channel = server
    health = health_pb2_grpc.HealthStub(channel)
    resp = await health.Check(health_pb2.HealthCheckRequest(service=""))
    assert resp.status == health_pb2.HealthCheckResponse.SERVING
    resp = await health.Check(
        health_pb2.HealthCheckRequest(service="portal.billing.v1.BillingService")
    )
    assert resp.status == health_pb2.HealthCheckResponse.SERVING
    await srv.health.enter_graceful_shutdown()
    resp = await health.Check(health_pb2.HealthCheckRequest(service=""))
    assert resp.status == health_pb2.HealthCheckResponse.NOT_SERVING
