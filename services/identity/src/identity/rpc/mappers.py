"""Model → protobuf conversion."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp

from identity.accounts.login import locked
from identity.accounts.models import Account
from identity.audit.models import AuditEntry
from identity.clock import aware
from portal.identity.v1 import identity_pb2

KINDS = {
    "person": identity_pb2.ACCOUNT_KIND_PERSON,
    "company": identity_pb2.ACCOUNT_KIND_COMPANY,
    "staff": identity_pb2.ACCOUNT_KIND_STAFF,
}


def _ts(target: Timestamp, value: datetime | None) -> None:
    moment = aware(value)
    if moment is not None:
        target.FromDatetime(moment)


def account(a: Account, payers: list[str]) -> identity_pb2.Account:
    return identity_pb2.Account(
        account_id=a.id,
        kind=KINDS.get(a.kind, 0),
        email=a.email,
        display_name=a.display_name,
        state=a.state,
        roles=a.role_list,
        payer_ids=payers,
        language=a.language,
    )


def details(a: Account, payers: list[str]) -> identity_pb2.AccountDetails:
    d = identity_pb2.AccountDetails(
        account=account(a, payers),
        first_name=a.first_name,
        last_name=a.last_name,
        pesel=a.pesel or "",
        company_name=a.company_name,
        nip=a.nip or "",
        regon=a.regon or "",
        representative=a.representative,
        phone=a.phone,
        street=a.street,
        postal_code=a.postal_code,
        city=a.city,
        document_type=a.document_type,
        verified_by=a.verified_by,
        suspended_reason=a.suspended_reason,
        locked=locked(a),
    )
    _ts(d.created_at, a.created_at)
    _ts(d.activated_at, a.activated_at)
    _ts(d.verified_at, a.verified_at)
    return d


def audit_entry(e: AuditEntry) -> identity_pb2.AuditEntry:
    pb = identity_pb2.AuditEntry(
        id=e.id,
        actor_id=e.actor_id,
        actor_name=e.actor_name,
        action=e.action,
        account_id=e.account_id,
        client_address=e.client_address,
        before_json=e.before_json,
        after_json=e.after_json,
    )
    _ts(pb.at, e.at)
    return pb
