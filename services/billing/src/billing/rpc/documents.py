"""BillingService: documents (list, download, upload, correction) and payment slips."""

from __future__ import annotations

from typing import Any

from billing.context import today
from billing.documents import files, manual
from billing.documents import service as documents
from billing.ksef import service as einvoices
from billing.messaging.events import document_issued
from billing.rpc import mappers as m
from billing.rpc.support import Support
from portal.billing.v1 import billing_pb2


class DocumentsMixin:
    s: Support

    async def ListDocuments(
        self, request: billing_pb2.ListDocumentsRequest, context: Any
    ) -> billing_pb2.ListDocumentsResponse:
        self.s.payer(request.payer_id)
        async with self.s.db.sessions() as session:
            docs = await documents.list_for_payer(session, request.payer_id, request.module)
            ksef = await einvoices.statuses(session, docs, self.s.ctx.einvoicing.since)
        numbers = {d.id: d.number or "" for d in docs}
        return billing_pb2.ListDocumentsResponse(
            documents=[
                m.document_pb(d, numbers.get(d.corrects_id or "", ""), ksef.get(d.id)) for d in docs
            ]
        )

    async def GetDocumentFile(
        self, request: billing_pb2.GetDocumentFileRequest, context: Any
    ) -> billing_pb2.FileResponse:
        async with self.s.db.transaction() as session:
            doc = await documents.get(session, request.document_id)
            self.s.owns(doc.payer_id)
            content = await files.document_file(session, self.s.ctx, doc)
        return billing_pb2.FileResponse(
            filename=doc.filename, content_type=doc.content_type, content=content
        )

    async def GetStructuredInvoice(
        self, request: billing_pb2.GetStructuredInvoiceRequest, context: Any
    ) -> billing_pb2.FileResponse:
        async with self.s.db.transaction() as session:
            doc = await documents.get(session, request.document_id)
            self.s.owns(doc.payer_id)
            row = await einvoices.ensure_xml(session, self.s.ctx, doc)
        # outside the transaction: a failed build is kept with its reason, then reported
        content = einvoices.require_xml(row)
        name = (doc.number or doc.id).replace("/", "_") + "_FA3.xml"
        return billing_pb2.FileResponse(
            filename=name, content_type="application/xml", content=content
        )

    async def UploadDocument(
        self, request: billing_pb2.UploadDocumentRequest, context: Any
    ) -> billing_pb2.DocumentResponse:
        who = self.s.staff()
        async with self.s.db.transaction() as session:
            draft = await manual.upload(
                session,
                self.s.ctx,
                payer_id=request.payer_id,
                module=request.module,
                title=request.title,
                filename=request.filename,
                content_type=request.content_type,
                content=request.content,
                user=who.subject,
            )
            await self.s.outbox.add(session, *document_issued(draft))
            doc = await documents.get(session, draft.id)
            return billing_pb2.DocumentResponse(document=m.document_pb(doc))

    async def IssueCorrection(
        self, request: billing_pb2.IssueCorrectionRequest, context: Any
    ) -> billing_pb2.DocumentResponse:
        who = self.s.staff()
        lines = m.charge_lines_in(list(request.lines))
        async with self.s.db.transaction() as session:
            draft = await manual.correct(
                session,
                self.s.ctx,
                document_id=request.document_id,
                reason=request.reason,
                lines=lines,
                user=who.subject,
            )
            await self.s.outbox.add(session, *document_issued(draft))
            doc = await documents.get(session, draft.id)
            return billing_pb2.DocumentResponse(document=m.document_pb(doc))

    async def _instructions(self, request: billing_pb2.GetPaymentSlipRequest) -> files.Instructions:
        self.s.payer(request.payer_id)
        as_of = m.from_pb_date(request.as_of, today()) or today()
        async with self.s.db.sessions() as session:
            return await files.instructions(
                session, self.s.ctx, request.payer_id, request.charge_id, as_of
            )

    async def GetPaymentInstructions(
        self, request: billing_pb2.GetPaymentSlipRequest, context: Any
    ) -> billing_pb2.PaymentInstructions:
        i = await self._instructions(request)
        return billing_pb2.PaymentInstructions(
            recipient_name=i.recipient,
            recipient_address=i.recipient_address,
            account=i.account,
            amount_grosze=i.amount,
            amount_words=i.words,
            title=i.title,
            payer_name=i.payer_name,
            payer_address=i.payer_address,
            qr_payload=i.qr_payload,
            recipient_nip=i.recipient_nip,
        )

    async def GetPaymentSlip(
        self, request: billing_pb2.GetPaymentSlipRequest, context: Any
    ) -> billing_pb2.FileResponse:
        i = await self._instructions(request)
        name = f"blankiet_{request.payer_id}{'_' + request.charge_id[:8] if request.charge_id else ''}.pdf"
        return billing_pb2.FileResponse(
            filename=name, content_type="application/pdf", content=files.slip_pdf(i, today())
        )
