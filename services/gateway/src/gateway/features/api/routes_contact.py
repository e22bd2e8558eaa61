"""API: contact with the office (topics, cases, messages) through notify."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from gateway.clients import service_channel
from gateway.features.api import convert
from gateway.features.api import schemas as s
from gateway.features.api.app import CallerDep
from portal.notify.v1 import notify_pb2, notify_pb2_grpc
from portal_platform.rpc.client import call

router = APIRouter(tags=["kontakt"])


def notify(request: Request) -> Any:
    return notify_pb2_grpc.NotifyServiceStub(service_channel(request, "notify"))


@router.get("/contact/topics", response_model=list[s.TopicOut])
async def topics(request: Request, caller: CallerDep, lang: str = "pl") -> list[s.TopicOut]:
    """Czego może dotyczyć wiadomość do urzędu."""
    resp = await call(
        notify(request).ListContactTopics, notify_pb2.ListContactTopicsRequest(), token=caller.token
    )
    en = lang == "en"
    return [
        s.TopicOut(key=t.key, label=(t.label_en if en else "") or t.label_pl) for t in resp.topics
    ]


@router.get("/contact/cases", response_model=list[s.CaseOut])
async def cases(request: Request, caller: CallerDep) -> list[s.CaseOut]:
    """Moje sprawy w urzędzie (bez treści wiadomości)."""
    resp = await call(
        notify(request).ListContactCases,
        notify_pb2.ListContactCasesRequest(limit=200),
        token=caller.token,
    )
    return [convert.case(c) for c in resp.cases]


@router.post("/contact/cases", response_model=s.CaseOut, status_code=201)
async def create_case(request: Request, body: s.CaseIn, caller: CallerDep) -> s.CaseOut:
    """Napisz do urzędnika; odpowiedź przyjdzie e-mailem i będzie widoczna w sprawie."""
    claims = caller.principal.claims
    resp = await call(
        notify(request).CreateContactCase,
        notify_pb2.CreateContactCaseRequest(
            topic=body.topic,
            subject=body.subject,
            body=body.body,
            email=str(claims.get("email", "")),
            name=str(claims.get("name", "")),
            client_address=request.client.host if request.client else "",
            language="pl",
        ),
        token=caller.token,
        timeout=30,
    )
    return convert.case(resp.case)


@router.get("/contact/cases/{case_id}", response_model=s.CaseOut)
async def case(request: Request, case_id: s.ObjectId, caller: CallerDep) -> s.CaseOut:
    """Sprawa z całą rozmową."""
    resp = await call(
        notify(request).GetContactCase,
        notify_pb2.GetContactCaseRequest(case_id=case_id),
        token=caller.token,
    )
    return convert.case(resp.case)


@router.post("/contact/cases/{case_id}/messages", response_model=s.CaseOut, status_code=201)
async def reply(
    request: Request, case_id: s.ObjectId, body: s.ReplyIn, caller: CallerDep
) -> s.CaseOut:
    """Dopisz wiadomość do swojej sprawy."""
    resp = await call(
        notify(request).ReplyToContactCase,
        notify_pb2.ReplyToContactCaseRequest(case_id=case_id, body=body.body),
        token=caller.token,
        timeout=30,
    )
    return convert.case(resp.case)
