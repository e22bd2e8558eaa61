"""The per-m³ waste fee fed by the real water service: a year of readings in water, the
assessment in waste reads the consumption over gRPC with waste's service token."""

from __future__ import annotations

from datetime import date

import pytest
from grpc import aio

from portal.common.v1 import common_pb2
from portal.waste.v1 import waste_pb2, waste_pb2_grpc
from portal.water.v1 import water_pb2 as w
from portal.water.v1 import water_pb2_grpc
from portal_platform.rpc.client import call
from waste.app import definition as waste
from water.app import definition as water

pytestmark = pytest.mark.timeout(120)
YEAR = 2026  # assessed from the consumption of 2025


def d(value: date) -> common_pb2.Date:
    return common_pb2.Date(year=value.year, month=value.month, day=value.day)


async def test_per_m3_fee_from_water_readings(start_service, issuer):
    clerk = issuer.token("clerk-1", roles=["clerk"])
    water_rt = await start_service(water, in_process_workers=False)
    waste_rt = await start_service(
        waste,
        in_process_workers=False,
        grpc_services=f"water=127.0.0.1:{water_rt.grpc_server.port}",
        service_token=issuer.token("waste", roles=["service"]),
    )
    async with (
        aio.insecure_channel(f"127.0.0.1:{water_rt.grpc_server.port}") as wch,
        aio.insecure_channel(f"127.0.0.1:{waste_rt.grpc_server.port}") as sch,
    ):
        ws = water_pb2_grpc.WaterServiceStub(wch)
        for component, unit, price in (("water", "m3", "4,00"), ("sewage", "m3", "10,00"),
                                       ("abonament_water", "month", "5,00"),
                                       ("abonament_sewage", "month", "3,00")):  # fmt: skip
            await call(ws.AddTariffPrice, w.AddTariffPriceRequest(
                group="household", component=component, unit=unit, net_price=price,
                valid_from=d(date(2024, 1, 1))), token=clerk)  # fmt: skip
        premises = (await call(ws.CreatePremises, w.CreatePremisesRequest(
            payer_id="P-WW", address="Ludwin 5", group="household", sewer=True), token=clerk)
        ).premises  # fmt: skip
        await call(ws.InstallMeter, w.InstallMeterRequest(
            premises_id=premises.premises_id, kind="main", serial="WW-1",
            installed_on=d(date(2024, 12, 31)), initial_m3="100",
            legalised_on=d(date(2024, 1, 1))), token=clerk)  # fmt: skip
        meter = (await call(ws.GetPremises, w.GetPremisesRequest(
            premises_id=premises.premises_id), token=clerk)).premises.meters[0]  # fmt: skip
        resident = issuer.token("res-ww", roles=["resident"], payers=["P-WW"])
        sent = await call(ws.SubmitReading, w.SubmitReadingRequest(
            premises_id=premises.premises_id, reading_date=d(date(2025, 12, 31)),
            confirm_warnings=True,
            values=[w.ReadingValueInput(meter_id=meter.meter_id, value_m3="220")]),
            token=resident)  # fmt: skip
        await call(ws.AcceptReadings, w.AcceptReadingsRequest(
            reading_ids=[sent.reading.reading_id]), token=clerk)  # fmt: skip
        used = await call(ws.GetConsumption, w.GetConsumptionRequest(
            payer_id="P-WW", period_from=d(date(2025, 1, 1)), period_to=d(date(2025, 12, 31))),
            token=clerk)  # fmt: skip
        assert used.quantity_m3 == "120" and len(used.months) == 12

        st = waste_pb2_grpc.WasteServiceStub(sch)
        await call(st.SetRate, waste_pb2.SetRateRequest(rate=waste_pb2.Rate(
            year=YEAR, method="per_water_m3", valid_from_month=1, rate_grosze=1250,
            non_sorting_multiplier="2")), token=clerk)  # fmt: skip
        await call(st.RegisterProperty, waste_pb2.RegisterPropertyRequest(
            property_id="N-WW", payer_id="P-WW", address="Ludwin 5", kind="multi_family"),
            token=clerk)  # fmt: skip
        await call(st.FileDeclaration, waste_pb2.FileDeclarationRequest(
            property_id="N-WW", payer_id="P-WW",
            input=waste_pb2.DeclarationInput(method="per_water_m3",
                                             water_premises_id=premises.premises_id),
            change_date=d(date(YEAR, 1, 1)), filed_on=d(date(2025, 12, 20))), token=clerk)  # fmt: skip
        await call(st.RunAssessment, waste_pb2.RunAssessmentRequest(year=YEAR), token=clerk)
        got = await call(st.ListInstallments, waste_pb2.ListInstallmentsRequest(
            payer_id="P-WW", year=YEAR), token=resident)  # fmt: skip
    # 120 m³ in 2025 → 10 m³ a month × 12.50 zł = 125.00 zł a month, 375.00 zł an installment
    assert [i.amount_grosze for i in got.installments] == [37500] * 4
