"""API: premises and meters, readings (history, preview, submit) of the water module."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from gateway.clients import service_channel
from gateway.features.api import convert
from gateway.features.api import schemas as s
from gateway.features.api.app import CallerDep
from gateway.web.dates import pb_date
from portal.water.v1 import water_pb2, water_pb2_grpc
from portal_platform.rpc.client import call

router = APIRouter(tags=["woda"])


def water(request: Request) -> Any:
    return water_pb2_grpc.WaterServiceStub(service_channel(request, "water"))


def values(body: s.PreviewIn | s.ReadingIn) -> list[water_pb2.ReadingValueInput]:
    return [
        water_pb2.ReadingValueInput(meter_id=v.meter_id, value_m3=v.value_m3) for v in body.values
    ]


@router.get("/payers/{payer_id}/premises", response_model=list[s.PremisesOut])
async def premises(request: Request, payer_id: s.PayerId, caller: CallerDep) -> list[s.PremisesOut]:
    """Punkty poboru wody kartoteki z wodomierzami i ich ostatnim stanem."""
    resp = await call(
        water(request).ListPremises,
        water_pb2.ListPremisesRequest(payer_id=caller.own(payer_id)),
        token=caller.token,
    )
    return [convert.premises(p) for p in resp.premises]


@router.get("/premises/{premises_id}/readings", response_model=list[s.ReadingOut])
async def readings(
    request: Request, premises_id: s.ObjectId, caller: CallerDep
) -> list[s.ReadingOut]:
    """Historia odczytów punktu poboru, od najnowszego."""
    got = await call(
        water(request).GetPremises,
        water_pb2.GetPremisesRequest(premises_id=premises_id),
        token=caller.token,
    )
    resp = await call(
        water(request).ListReadings,
        water_pb2.ListReadingsRequest(premises_id=got.premises.premises_id),
        token=caller.token,
    )
    return [convert.reading(r) for r in resp.readings]


@router.post("/premises/{premises_id}/readings/preview", response_model=s.PreviewOut)
async def preview(
    request: Request, premises_id: s.ObjectId, body: s.PreviewIn, caller: CallerDep
) -> s.PreviewOut:
    """Podgląd faktury dla podanego stanu liczników (nic nie zapisuje)."""
    resp = await call(
        water(request).PreviewReading,
        water_pb2.PreviewReadingRequest(
            premises_id=premises_id, reading_date=pb_date(body.reading_date), values=values(body)
        ),
        token=caller.token,
    )
    return s.PreviewOut(
        preview=convert.preview(resp.preview), warnings=convert.warnings(resp.warnings)
    )


@router.post("/premises/{premises_id}/readings", response_model=s.SubmitOut)
async def submit(
    request: Request, premises_id: s.ObjectId, body: s.ReadingIn, caller: CallerDep
) -> s.SubmitOut:
    """Podaj odczyt. Przy ostrzeżeniu (np. bardzo wysokie zużycie) nic nie jest zapisane, dopóki
    nie wyślesz go ponownie z `confirm_warnings: true`."""
    resp = await call(
        water(request).SubmitReading,
        water_pb2.SubmitReadingRequest(
            premises_id=premises_id,
            reading_date=pb_date(body.reading_date),
            values=values(body),
            idempotency_token=body.idempotency_key,
            confirm_warnings=body.confirm_warnings,
        ),
        token=caller.token,
    )
    return s.SubmitOut(
        reading=convert.reading(resp.reading) if resp.reading.reading_id else None,
        warnings=convert.warnings(resp.warnings),
        needs_confirmation=resp.needs_confirmation,
        repeated_submission=resp.repeated_submission,
    )


@router.get("/readings/{reading_id}", response_model=s.ReadingOut)
async def reading(request: Request, reading_id: s.ObjectId, caller: CallerDep) -> s.ReadingOut:
    """Jeden odczyt: stan, uzasadnienie urzędu, pozycje faktury."""
    resp = await call(
        water(request).GetReading,
        water_pb2.GetReadingRequest(reading_id=reading_id),
        token=caller.token,
    )
    return convert.reading(resp.reading)
