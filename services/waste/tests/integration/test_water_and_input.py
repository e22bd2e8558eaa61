"""The per-m³ method fed by the water service over gRPC; bad input and access refused."""

from __future__ import annotations

from datetime import date

import grpc
import pytest

from portal.waste.v1 import waste_pb2
from portal.water.v1 import water_pb2, water_pb2_grpc
from portal_platform.auth import TokenVerifier, principal
from portal_platform.rpc.server import Registration, start_server
from waste.app import definition

from ..conftest import WasteClient, field_of, pb_date, setup_rates

YEAR = 2027


class WaterStub(water_pb2_grpc.WaterServiceServicer):
    """A real gRPC WaterService answering GetConsumption from a table (the water helper's
    service replaces it once its readings API is settled)."""

    def __init__(self, per_payer_m3: dict[str, str]) -> None:
        self.per_payer_m3 = per_payer_m3
        self.calls: list[tuple[str, frozenset[str], int]] = []

    async def GetConsumption(self, request, context):
        p = principal()
        p.require_payer(request.payer_id)
        self.calls.append((request.payer_id, p.roles, request.period_from.year))
        total = self.per_payer_m3.get(request.payer_id, "0")
        months = [
            water_pb2.MonthlyConsumption(year=request.period_from.year, month=m, quantity_m3="x")
            for m in range(1, 13)
        ]
        return water_pb2.GetConsumptionResponse(quantity_m3=total, months=months)


@pytest.fixture
async def water(issuer):
    servicer = WaterStub({"P-W1": "120", "P-W2": "360"})
    verifier = TokenVerifier(issuer=issuer.issuer, audience=issuer.audience, jwks=issuer.jwks)
    server = await start_server(
        [
            Registration(
                water_pb2_grpc.add_WaterServiceServicer_to_server,
                servicer,
                "portal.water.v1.WaterService",
            )
        ],
        host="127.0.0.1",
        port=0,
        verifier=verifier,
    )
    yield servicer, server.port
    await server.stop(0)


async def test_per_m3_fee_uses_last_years_water_consumption(
    start_service, issuer, clerk_token, water
):
    servicer, port = water
    rt = await start_service(
        definition,
        in_process_workers=False,
        grpc_services=f"water=127.0.0.1:{port}",
        service_token=issuer.token("waste", roles=["service"]),
    )
    client = WasteClient(rt.grpc_server.port, clerk_token)
    try:
        await setup_rates(client, YEAR)
        for pid, payer in (("N-W1", "P-W1"), ("N-W2", "P-W2")):
            await client.RegisterProperty(
                waste_pb2.RegisterPropertyRequest(
                    property_id=pid, payer_id=payer, address="Ludwin 1", kind="multi_family"
                )
            )
            await client.FileDeclaration(
                waste_pb2.FileDeclarationRequest(
                    property_id=pid,
                    payer_id=payer,
                    input=waste_pb2.DeclarationInput(method="per_water_m3", households="1"),
                    change_date=pb_date(date(YEAR, 1, 1)),
                    filed_on=pb_date(date(2026, 11, 20)),
                )
            )
        await client.RunAssessment(waste_pb2.RunAssessmentRequest(year=YEAR))
        one = await client.ListInstallments(
            waste_pb2.ListInstallmentsRequest(payer_id="P-W1", year=YEAR)
        )
        # 120 m³ in 2026 → 10 m³ a month × 12.50 zł = 125.00 zł a month, 375.00 zł a quarter
        assert [i.amount_grosze for i in one.installments] == [37500] * 4
        two = await client.ListInstallments(
            waste_pb2.ListInstallmentsRequest(payer_id="P-W2", year=YEAR)
        )
        # 30 m³ a month × 12.50 = 375.00 zł, capped at 247.03 zł per household a month
        assert [i.amount_grosze for i in two.installments] == [74109] * 4
        assert {(payer, year) for payer, _roles, year in servicer.calls} == {
            ("P-W1", 2026),
            ("P-W2", 2026),
        }
        assert all("service" in roles for _p, roles, _y in servicer.calls)
    finally:
        await client.close()


@pytest.fixture
async def waste(start_service, clerk_token):
    rt = await start_service(definition, in_process_workers=False)
    client = WasteClient(rt.grpc_server.port, clerk_token)
    await setup_rates(client, YEAR)
    for pid, payer in (("N-A", "P-A"), ("N-B", "P-B")):
        await client.RegisterProperty(
            waste_pb2.RegisterPropertyRequest(
                property_id=pid, payer_id=payer, address=f"Ludwin {pid}", kind="single_family"
            )
        )
    yield rt, client
    await client.close()


def filing(pid: str, payer: str, **inp: str) -> waste_pb2.FileDeclarationRequest:
    return waste_pb2.FileDeclarationRequest(
        property_id=pid,
        payer_id=payer,
        input=waste_pb2.DeclarationInput(**inp),
        change_date=pb_date(date.today()),
    )


async def test_bad_input_is_refused_with_the_field_named(waste, issuer):
    _rt, client = waste
    resident = issuer.token("res-a", roles=["resident"], payers=["P-A"])
    cases = [
        ({"method": "per_resident", "residents": "-2"}, "residents", "ujemna"),
        ({"method": "per_area_m2", "area_m2": "sto metrów"}, "area_m2", "liczbę"),
        ({"method": "per_resident", "residents": "2.5"}, "residents", "całkowitą"),
        ({"method": "kilogramy"}, "method", "sposób"),
    ]
    for inp, field, words in cases:
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await client.FileDeclaration(filing("N-A", "P-A", **inp), token=resident)
        assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT, inp
        assert field_of(err.value) == field
        assert words in err.value.details()
    listed = await client.ListDeclarations(
        waste_pb2.ListDeclarationsRequest(payer_id="P-A"), token=resident
    )
    assert [len(p.history) for p in listed.properties] == [0]  # nothing half-written


async def test_someone_elses_property_is_not_revealed(waste, issuer):
    _rt, client = waste
    resident = issuer.token("res-a", roles=["resident"], payers=["P-A"])
    with pytest.raises(grpc.aio.AioRpcError) as other:
        await client.FileDeclaration(
            filing("N-B", "P-A", method="per_resident", residents="3"), token=resident
        )
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await client.FileDeclaration(
            filing("N-ZZZ", "P-A", method="per_resident", residents="3"), token=resident
        )
    assert other.value.code() == missing.value.code() == grpc.StatusCode.NOT_FOUND
    assert other.value.details() == missing.value.details()
    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await client.FileDeclaration(
            filing("N-B", "P-B", method="per_resident", residents="3"), token=resident
        )
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await client.ListInstallments(
            waste_pb2.ListInstallmentsRequest(payer_id="P-B"), token=resident
        )
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as staff_only:
        await client.RunAssessment(waste_pb2.RunAssessmentRequest(year=YEAR), token=resident)
    assert staff_only.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_retroactive_decrease_needs_a_clerks_reason(waste, issuer):
    _rt, client = waste
    late_decrease = waste_pb2.FileDeclarationRequest(
        property_id="N-A", payer_id="P-A",
        input=waste_pb2.DeclarationInput(method="per_resident", residents="3"),
        change_date=pb_date(date(2026, 8, 3)), filed_on=pb_date(date(2026, 11, 20)),
    )  # fmt: skip
    # A decrease from August 2026 filed in November: too late without a reason.
    await setup_rates(client, 2026)
    await client.FileDeclaration(
        waste_pb2.FileDeclarationRequest(
            property_id="N-A",
            payer_id="P-A",
            input=waste_pb2.DeclarationInput(method="per_resident", residents="4"),
            change_date=pb_date(date(2026, 1, 1)),
            filed_on=pb_date(date(2026, 1, 5)),
        )
    )
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await client.FileDeclaration(late_decrease)
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_of(err.value) == "reason"
    late_decrease.reason = "Zgon mieszkańca 3.08.2026, akt zgonu przedstawiony w urzędzie"
    ok = await client.FileDeclaration(late_decrease)
    assert ok.version.status == "confirmed" and ok.version.late

    # A resident's draft is confirmed by a clerk; a resident cannot confirm.
    resident = issuer.token("res-a", roles=["resident"], payers=["P-A"])
    draft = await client.FileDeclaration(
        filing("N-A", "P-A", method="per_resident", residents="5"), token=resident
    )
    assert draft.version.status == "draft" and draft.version.source == "resident"
    with pytest.raises(grpc.aio.AioRpcError) as denied:
        await client.ConfirmDeclaration(
            waste_pb2.ConfirmDeclarationRequest(version_id=draft.version.version_id), token=resident
        )
    assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    confirmed = await client.ConfirmDeclaration(
        waste_pb2.ConfirmDeclarationRequest(version_id=draft.version.version_id)
    )
    assert confirmed.version.status == "confirmed"
    listed = await client.ListDeclarations(
        waste_pb2.ListDeclarationsRequest(payer_id="P-A"), token=resident
    )
    assert listed.properties[0].current.input.residents == "5"
    assert len(listed.properties[0].history) == 3
