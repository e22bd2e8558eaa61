"""Admin: customer groups with their reading deadlines (add, remove with confirmation, rename)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from admin.features.water.common import Clerk, render, water
from admin.features.water.readings import _flash, _take_flash
from portal.water.v1 import water_pb2
from portal_platform.csrf import verify_csrf
from portal_platform.errors import DomainError, InvalidArgument

router = APIRouter()
PAGE = "/woda/grupy"
MONTHS = {
    1: "styczeń", 2: "luty", 3: "marzec", 4: "kwiecień", 5: "maj", 6: "czerwiec",
    7: "lipiec", 8: "sierpień", 9: "wrzesień", 10: "październik", 11: "listopad", 12: "grudzień",
}  # fmt: skip
MONTHS_OF = {
    1: "stycznia", 2: "lutego", 3: "marca", 4: "kwietnia", 5: "maja", 6: "czerwca",
    7: "lipca", 8: "sierpnia", 9: "września", 10: "października", 11: "listopada", 12: "grudnia",
}  # fmt: skip


def _number(text: str, field: str, message: str) -> int:
    """A whole number typed in a form; a clear error naming the field."""
    text = (text or "").strip()
    if not text.isdigit():
        raise InvalidArgument(message, field=field)
    return int(text)


async def _groups(request: Request, clerk: Clerk) -> list[Any]:
    got = await water(request, clerk, "ListCustomerGroups", water_pb2.ListCustomerGroupsRequest())
    return list(got.groups)


@router.get(PAGE, response_class=HTMLResponse)
async def groups(request: Request, clerk: Clerk) -> Response:
    """Groups with their yearly deadlines and number of premises; a form to add a deadline."""
    return await _page(request, clerk)


async def _page(
    request: Request,
    clerk: Clerk,
    error: DomainError | None = None,
    form: dict[str, str] | None = None,
    rename: dict[str, str] | None = None,
) -> Response:
    found = await _groups(request, clerk)
    history = await water(
        request,
        clerk,
        "ListAuditEntries",
        water_pb2.ListAuditEntriesRequest(
            entity="group", entity_ids=[g.code for g in found], limit=50
        ),
    )
    return render(
        request,
        "water/groups.html",
        {
            "groups": found,
            "months": MONTHS,
            "months_of": MONTHS_OF,
            "error": error,
            "form": form or {},
            "rename": rename or {},
            "history": history.entries,
            "flash": _take_flash(request),
        },
        status=(409 if error.grpc_status == "FAILED_PRECONDITION" else 422) if error else 200,
    )


@router.post(PAGE, dependencies=[Depends(verify_csrf)])
async def deadline_add(request: Request, clerk: Clerk) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        month = _number(form.get("month", ""), "month", "Wybierz miesiąc.")
        day = _number(form.get("day", ""), "day", "Podaj dzień miesiąca liczbą (1–31).")
        got = await water(
            request,
            clerk,
            "AddReadingDeadline",
            water_pb2.AddReadingDeadlineRequest(
                group=form.get("group", ""), month=month, day=day, label=form.get("label", "")
            ),
        )
    except DomainError as exc:
        return await _page(request, clerk, exc, form)
    _flash(
        request, f"Dodano termin odczytu {day} {MONTHS_OF[month]} dla grupy „{got.group.label}”."
    )
    return RedirectResponse(PAGE, status_code=303)


def _target(params: Any) -> tuple[str, int, int]:
    group = str(params.get("group", ""))
    month = _number(str(params.get("month", "")), "deadline", "Wybierz termin do usunięcia.")
    day = _number(str(params.get("day", "")), "deadline", "Wybierz termin do usunięcia.")
    return group, month, day


@router.get(f"{PAGE}/usun", response_class=HTMLResponse)
async def remove_confirm(request: Request, clerk: Clerk) -> Response:
    """Ask before removing a deadline (works without JavaScript)."""
    try:
        target = _target(request.query_params)
    except DomainError as exc:
        _flash(request, exc.message)
        return RedirectResponse(PAGE, status_code=303)
    return await _confirm(request, clerk, *target)


async def _confirm(
    request: Request,
    clerk: Clerk,
    group: str,
    month: int,
    day: int,
    error: DomainError | None = None,
) -> Response:
    found = next((g for g in await _groups(request, clerk) if g.code == group), None)
    deadlines = list(found.deadlines) if found else []
    deadline = next((d for d in deadlines if (d.month, d.day) == (month, day)), None)
    if found is None or deadline is None:
        _flash(request, "Nie znaleziono takiego terminu odczytu.")
        return RedirectResponse(PAGE, status_code=303)
    return render(
        request,
        "water/group_remove.html",
        {"group": found, "deadline": deadline, "months_of": MONTHS_OF, "error": error},
        status=(409 if error.grpc_status == "FAILED_PRECONDITION" else 422) if error else 200,
    )


@router.post(f"{PAGE}/usun", dependencies=[Depends(verify_csrf)])
async def remove(request: Request, clerk: Clerk) -> Response:
    form = await request.form()
    try:
        group, month, day = _target(form)
    except DomainError as exc:
        _flash(request, exc.message)
        return RedirectResponse(PAGE, status_code=303)
    try:
        got = await water(
            request,
            clerk,
            "RemoveReadingDeadline",
            water_pb2.RemoveReadingDeadlineRequest(group=group, month=month, day=day),
        )
    except DomainError as exc:
        return await _confirm(request, clerk, group, month, day, exc)
    _flash(request, f"Usunięto termin odczytu {day} {MONTHS_OF[month]} grupy „{got.group.label}”.")
    return RedirectResponse(PAGE, status_code=303)


@router.post(f"{PAGE}/nazwa", dependencies=[Depends(verify_csrf)])
async def rename(request: Request, clerk: Clerk) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        got = await water(
            request,
            clerk,
            "RenameCustomerGroup",
            water_pb2.RenameCustomerGroupRequest(
                group=form.get("group", ""), label=form.get("label", "")
            ),
        )
    except DomainError as exc:
        # each group has its own name field: tie the error to that one
        tied = type(exc)(exc.message, code=exc.code, field=f"label-{form.get('group', '')}")
        return await _page(request, clerk, tied, rename=form)
    _flash(request, f"Zmieniono nazwę grupy na „{got.group.label}”.")
    return RedirectResponse(PAGE, status_code=303)
