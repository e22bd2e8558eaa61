"""Reminders before reading deadlines and due dates: sent once per key, a second run sends nothing."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import date

import pytest_asyncio
from sqlalchemy import func, select

from notify.app import definition
from notify.mail.models import MailMessage
from notify.reminders.models import ReminderSent
from notify.testing import start_grpc, text_of
from notify.workers import notifier
from portal.billing.v1 import billing_pb2, billing_pb2_grpc
from portal.common.v1 import common_pb2
from portal.water.v1 import water_pb2, water_pb2_grpc
from portal_platform.auth import principal
from portal_platform.rpc.server import Registration

JUNE_30 = date(2027, 6, 30)


def pb(d: date) -> common_pb2.Date:
    return common_pb2.Date(year=d.year, month=d.month, day=d.day)


class FakeWater(water_pb2_grpc.WaterServiceServicer):
    async def ListReadingDeadlines(self, request, context):
        principal()
        return water_pb2.ListReadingDeadlinesResponse(
            deadlines=[
                water_pb2.ReadingDeadline(
                    group="household",
                    deadline=pb(date(request.year, 6, 30)),
                    label="Odczyt do 30 czerwca",
                ),
                water_pb2.ReadingDeadline(
                    group="household",
                    deadline=pb(date(request.year, 11, 30)),
                    label="Odczyt do 30 listopada",
                ),
                water_pb2.ReadingDeadline(
                    group="seasonal",
                    deadline=pb(date(request.year, 6, 15)),
                    label="Odczyt do 15 czerwca",
                ),
            ]
        )

    async def ListPayersWithoutReading(self, request, context):
        principal().require_role("service", "clerk", "admin")
        payers = {"household": ["P-1", "P-2"], "seasonal": ["P-3"]}.get(request.group, [])
        return water_pb2.ListPayersWithoutReadingResponse(payer_ids=payers)


class FakeBilling(billing_pb2_grpc.BillingServiceServicer):
    def __init__(self) -> None:
        self.requests: list[billing_pb2.ListOpenChargesRequest] = []

    async def ListOpenCharges(self, request, context):
        principal().require_role("service", "clerk", "admin")
        self.requests.append(request)
        if request.module != "waste":
            return billing_pb2.ListOpenChargesResponse()
        charges = [
            ("P-1", JUNE_30, 15600, "open", "Opłata za odpady — rata 2/2027"),
            ("P-2", JUNE_30, 15600, "in_progress", "Opłata za odpady — rata 2/2027"),
            ("P-3", JUNE_30, 0, "paid", "Opłata za odpady — rata 2/2027"),
        ]
        due_from = date(request.due_from.year, request.due_from.month, request.due_from.day)
        due_to = date(request.due_to.year, request.due_to.month, request.due_to.day)
        return billing_pb2.ListOpenChargesResponse(
            charges=[
                billing_pb2.OpenCharge(
                    charge_id=f"c-{p}",
                    payer_id=p,
                    module="waste",
                    title=t,
                    due_date=pb(due),
                    amount_grosze=15600,
                    outstanding_grosze=out,
                    status=st,
                )
                for p, due, out, st, t in charges
                if due_from <= due <= due_to
            ]
        )


@pytest_asyncio.fixture
async def sources(issuer):
    billing = FakeBilling()
    water = await start_grpc(
        [
            Registration(
                water_pb2_grpc.add_WaterServiceServicer_to_server,
                FakeWater(),
                "portal.water.v1.WaterService",
            )
        ],
        issuer,
    )
    billing_server = await start_grpc(
        [
            Registration(
                billing_pb2_grpc.add_BillingServiceServicer_to_server,
                billing,
                "portal.billing.v1.BillingService",
            )
        ],
        issuer,
    )
    yield {
        "water_address": f"127.0.0.1:{water.port}",
        "billing_address": f"127.0.0.1:{billing_server.port}",
        "billing": billing,
    }
    await water.stop(0)
    await billing_server.stop(0)


async def counts(rt) -> tuple[int, int]:
    async with rt.db.sessions() as s:
        mails = (await s.execute(select(func.count()).select_from(MailMessage))).scalar_one()
        sent = (await s.execute(select(func.count()).select_from(ReminderSent))).scalar_one()
    return int(mails), int(sent)


def remind_command(rt, settings: dict, day: date) -> None:
    """`python -m notify remind --date …` in a separate process against the same database."""
    env = {
        **os.environ,
        "PORTAL_ENV": "test",
        "NATS_URL": rt.settings.nats_url,
        "NOTIFY_DATABASE_URL": rt.settings.database_url,
        "NOTIFY_SERVICE_TOKEN": settings["service_token"],
        "NOTIFY_IDENTITY_ADDRESS": settings["identity_address"],
        "NOTIFY_WATER_ADDRESS": settings["water_address"],
        "NOTIFY_BILLING_ADDRESS": settings["billing_address"],
        "OIDC_ISSUER": rt.settings.oidc_issuer,
    }
    done = subprocess.run(
        [sys.executable, "-m", "notify", "remind", "--date", day.isoformat()],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr + done.stdout


async def test_reminders_go_once_per_deadline_and_offset(
    start_service, smtp, notify_settings, sources
):
    settings = {**notify_settings, **{k: v for k, v in sources.items() if k != "billing"}}
    rt = await start_service(definition, **settings)
    n = notifier(rt)

    # 14 days before 30 June: household readings (P-1, P-2 with two accounts) and P-1's
    # installment; P-2's installment is being paid, P-3's is paid; the seasonal 15 June is past.
    first = await n.remind(date(2027, 6, 16))
    assert (first.reminded_payers, first.mails) == (3, 4)
    await smtp.wait_for(4)

    again = await n.remind(date(2027, 6, 16))  # the same day again
    assert (again.reminded_payers, again.mails) == (0, 0)
    later = await n.remind(date(2027, 6, 20))  # still inside the 14-day window
    assert later.mails == 0
    assert await counts(rt) == (4, 3)

    # A separate process (a restart, or the CronJob) on the same day sends nothing either.
    await asyncio.to_thread(remind_command, rt, settings, date(2027, 6, 16))
    assert await counts(rt) == (4, 3)

    await asyncio.sleep(0.5)
    assert len(smtp.messages) == 4
    jan = smtp.to("jan@example.pl")
    subjects = sorted(str(m["Subject"]) for m in jan)
    assert subjects == [
        "Przypomnienie: podaj odczyt wodomierza do 30 czerwca 2027",
        "Przypomnienie: termin płatności 30 czerwca 2027",
    ]
    payment = next(m for m in jan if "płatności" in str(m["Subject"]))
    assert "Opłata za odpady — rata 2/2027" in text_of(payment)
    assert "156,00\u00a0zł" in text_of(payment)
    (john,) = smtp.to("john@example.com")
    assert john["Subject"] == "Reminder: submit your water meter reading by 30 June 2027"
    assert "/woda" in text_of(john)

    # 3 days before: the second reminder of the schedule, once; the command finds nothing more.
    third = await n.remind(date(2027, 6, 27))
    assert (third.reminded_payers, third.mails) == (3, 4)
    await asyncio.to_thread(remind_command, rt, settings, date(2027, 6, 27))
    assert await counts(rt) == (8, 6)

    # 14 days before the seasonal 15 June deadline: P-3.
    seasonal = await n.remind(date(2027, 6, 1))
    assert seasonal.mails == 1
    await smtp.wait_for(9)
    assert str(smtp.to("ewa@example.pl")[0]["Subject"]).endswith("15 czerwca 2027")
