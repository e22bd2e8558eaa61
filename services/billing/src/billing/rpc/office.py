"""BillingService for the back office: cash, statements, refunds, reminders, arrears."""

from __future__ import annotations

from typing import Any

from billing.context import today
from billing.documents.models import Document
from billing.ledger import refunds
from billing.messaging.events import document_issued, pb_date
from billing.payers import service as payers
from billing.payments import service as payments
from billing.reminders import service as reminders
from billing.rpc import mappers as m
from billing.rpc.support import Support
from billing.statements import service as statements
from portal.billing.v1 import billing_pb2
from portal_platform.errors import InvalidArgument


class OfficeMixin:
    s: Support

    async def RecordPayment(
        self, request: billing_pb2.RecordPaymentRequest, context: Any
    ) -> billing_pb2.PaymentResponse:
        self.s.staff()
        if request.amount_grosze <= 0:
            raise InvalidArgument("Kwota wpłaty musi być dodatnia.", field="amount_grosze")
        if not request.reference.strip():
            raise InvalidArgument("Podaj numer dowodu wpłaty.", field="reference")
        paid_on = m.from_pb_date(request.paid_on, today()) or today()
        async with self.s.db.transaction() as session:
            await payers.get(session, request.payer_id)
            ref = request.reference.strip()[:100]
            await payments.book_settled(
                session,
                self.s.ctx,
                self.s.outbox,
                [
                    payments.NewPayment(
                        request.payer_id,
                        request.amount_grosze,
                        "cash",
                        "office",
                        ref,
                        paid_on,
                        request.title,
                        (request.charge_id,) if request.charge_id else (),
                    )
                ],
            )
            p = await payments.by_ref(session, "office", ref)
            return billing_pb2.PaymentResponse(payment=m.payment_pb(p))

    async def ImportStatement(
        self, request: billing_pb2.ImportStatementRequest, context: Any
    ) -> billing_pb2.ImportStatementResponse:
        who = self.s.staff()
        async with self.s.db.transaction() as session:
            r = await statements.import_statement(
                session,
                self.s.ctx,
                self.s.outbox,
                filename=request.filename,
                content=request.content,
                fmt=request.format,
                user=who.subject,
            )
        return billing_pb2.ImportStatementResponse(
            statement_id=r.statement_id,
            lines_total=r.total,
            lines_new=r.new,
            lines_duplicate=r.duplicate,
            matched=r.matched,
            unmatched=r.unmatched,
            problems=[billing_pb2.LineProblem(line_no=n, message=msg) for n, msg in r.problems],
        )

    async def ListUnmatchedLines(
        self, request: billing_pb2.ListUnmatchedLinesRequest, context: Any
    ) -> billing_pb2.ListUnmatchedLinesResponse:
        self.s.staff()
        async with self.s.db.sessions() as session:
            rows = await statements.unmatched(session, request.limit or 200)
        return billing_pb2.ListUnmatchedLinesResponse(
            lines=[
                billing_pb2.StatementLine(
                    line_id=ln.id,
                    booked_on=pb_date(ln.booked_on),
                    amount_grosze=ln.amount_grosze,
                    counterparty_name=ln.counterparty_name,
                    counterparty_account=ln.counterparty_account,
                    credited_account=ln.credited_account,
                    title=ln.title,
                    status=ln.status,
                    payer_id=ln.payer_id or "",
                    statement_filename=filename,
                    line_no=ln.line_no,
                )
                for ln, filename in rows
            ]
        )

    async def AssignStatementLine(
        self, request: billing_pb2.AssignStatementLineRequest, context: Any
    ) -> billing_pb2.PaymentResponse:
        self.s.staff()
        async with self.s.db.transaction() as session:
            pid = await statements.assign(
                session,
                self.s.ctx,
                self.s.outbox,
                request.line_id,
                request.payer_id,
                request.charge_id,
            )
            return billing_pb2.PaymentResponse(
                payment=m.payment_pb(await payments.get(session, pid))
            )

    async def RefundCredit(
        self, request: billing_pb2.RefundCreditRequest, context: Any
    ) -> billing_pb2.RefundCreditResponse:
        who = self.s.staff()
        async with self.s.db.transaction() as session:
            row, left = await refunds.refund(
                session,
                payer_id=request.payer_id,
                amount=request.amount_grosze,
                bank_account=request.bank_account,
                reason=request.reason,
                user=who.subject,
            )
        return billing_pb2.RefundCreditResponse(
            refund=billing_pb2.Refund(
                refund_id=row.id,
                payer_id=row.payer_id,
                amount_grosze=row.amount_grosze,
                bank_account=row.bank_account,
                reason=row.reason,
                refunded_on=pb_date(row.refunded_on),
            ),
            credit_left_grosze=left,
        )

    async def RunReminders(
        self, request: billing_pb2.RunRemindersRequest, context: Any
    ) -> billing_pb2.RunRemindersResponse:
        who = self.s.staff()
        as_of = m.from_pb_date(request.as_of, today()) or today()
        async with self.s.db.transaction() as session:
            found = await reminders.run(
                session,
                self.s.ctx,
                as_of=as_of,
                module=request.module,
                dry_run=request.dry_run,
                min_arrears=request.min_arrears_grosze,
                user=who.subject,
            )
            issued = [a.document for a in found if a.document]
            await self.s.outbox.add_many(session, (document_issued(d) for d in issued))
            docs = {d.id: d for d in [await session.get(Document, x.id) for x in issued] if d}
        return billing_pb2.RunRemindersResponse(
            issued=len(issued),
            candidates=[
                billing_pb2.ReminderCandidate(
                    payer_id=a.payer_id,
                    payer_name=a.payer_name,
                    module=a.module,
                    overdue_grosze=a.overdue,
                    interest_grosze=a.interest,
                    document=m.document_pb(docs[a.document.id])
                    if a.document and a.document.id in docs
                    else None,
                )
                for a in found
            ],
        )

    async def GetArrearsReport(
        self, request: billing_pb2.GetArrearsReportRequest, context: Any
    ) -> billing_pb2.GetArrearsReportResponse:
        self.s.staff()
        as_of = m.from_pb_date(request.as_of, today()) or today()
        async with self.s.db.sessions() as session:
            rows = await reminders.arrears(session, self.s.ctx, request.module, as_of)
        return billing_pb2.GetArrearsReportResponse(
            rows=[
                billing_pb2.ArrearsRow(
                    payer_id=a.payer_id,
                    payer_name=a.payer_name,
                    module=a.module,
                    overdue_grosze=a.overdue,
                    interest_grosze=a.interest,
                    reminder_costs_grosze=a.reminder_costs,
                    oldest_due_date=pb_date(a.oldest),
                    overdue_items=len(a.items),
                )
                for a in rows
            ]
        )
