"""IdentityService over gRPC: residents see only themselves, clerks act, everything audited."""

from __future__ import annotations

import json

import grpc
import pytest
from identity_test_helpers import grpc_address, make_resident, make_staff, mint

from portal.identity.v1 import identity_pb2, identity_pb2_grpc
from portal_platform.rpc.client import call_metadata, channel


@pytest.fixture
async def stub(identity):
    async with channel(grpc_address(identity)) as ch:
        yield identity_pb2_grpc.IdentityServiceStub(ch)


async def code_of(coro) -> grpc.StatusCode:
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await coro
    return err.value.code()


async def test_resident_reads_only_their_own_account(identity, stub):
    me = await make_resident(identity, state="verified", payers=("P-000001",))
    other = await make_resident(identity, email="ewa@example.pl", pesel="90010112349")
    token = mint(identity, me, roles=["resident"], payers=["P-000001"])
    md = call_metadata(token)
    got = await stub.GetAccount(identity_pb2.GetAccountRequest(account_id=me), metadata=md)
    assert got.account.state == "verified" and list(got.account.payer_ids) == ["P-000001"]
    payers = await stub.ListPayersOfAccount(
        identity_pb2.ListPayersOfAccountRequest(account_id=me), metadata=md
    )
    assert list(payers.payer_ids) == ["P-000001"]
    assert (
        await code_of(
            stub.GetAccount(identity_pb2.GetAccountRequest(account_id=other), metadata=md)
        )
        == grpc.StatusCode.NOT_FOUND
    )
    assert (
        await code_of(
            stub.ExportAccountData(
                identity_pb2.ExportAccountDataRequest(account_id=other), metadata=md
            )
        )
        == grpc.StatusCode.NOT_FOUND
    )
    export = await stub.ExportAccountData(
        identity_pb2.ExportAccountDataRequest(account_id=me), metadata=md
    )
    data = json.loads(export.json)
    assert data["account"]["pesel"] and data["payers"][0]["payer_id"] == "P-000001"
    assert "password_hash" not in export.json and "totp_secret" not in export.json


async def test_resident_token_on_clerk_methods_is_permission_denied(identity, stub):
    me = await make_resident(identity)
    md = call_metadata(mint(identity, me, roles=["resident"]))
    calls = [
        stub.ListAccounts(identity_pb2.ListAccountsRequest(), metadata=md),
        stub.VerifyAccount(
            identity_pb2.VerifyAccountRequest(account_id=me, document_type="paszport"), metadata=md
        ),
        stub.LinkPayer(
            identity_pb2.LinkPayerRequest(account_id=me, payer_id="P-000002"), metadata=md
        ),
        stub.ListAccountsOfPayer(
            identity_pb2.ListAccountsOfPayerRequest(payer_id="P-000001"), metadata=md
        ),
        stub.ListAuditEntries(identity_pb2.ListAuditEntriesRequest(), metadata=md),
    ]
    for call in calls:
        assert await code_of(call) == grpc.StatusCode.PERMISSION_DENIED
    details = await stub.GetAccount(identity_pb2.GetAccountRequest(account_id=me), metadata=md)
    assert details.account.state == "active" and not details.account.payer_ids


async def test_tampered_foreign_audience_and_missing_tokens_are_unauthenticated(identity, stub):
    me = await make_resident(identity)
    good = mint(identity, me, roles=["clerk"])
    head, body, sig = good.split(".")
    for token in (f"{head}.{body}x.{sig}", mint(identity, me, roles=["clerk"], aud="gateway"), ""):
        assert (
            await code_of(
                stub.ListAccounts(identity_pb2.ListAccountsRequest(), metadata=call_metadata(token))
            )
            == grpc.StatusCode.UNAUTHENTICATED
        )


async def test_clerk_verifies_links_unlinks_suspends_and_it_is_audited(identity, stub):
    resident = await make_resident(identity)
    await make_staff(identity)  # staff accounts never show among residents to verify
    clerk = call_metadata(mint(identity, "clerk-1", roles=["clerk"], name="Anna Urzędniczka"))
    pending = await stub.ListAccounts(
        identity_pb2.ListAccountsRequest(state="active"), metadata=clerk
    )
    assert [a.account.account_id for a in pending.accounts] == [resident]
    everyone = await stub.ListAccounts(identity_pb2.ListAccountsRequest(), metadata=clerk)
    assert [a.account.account_id for a in everyone.accounts] == [resident]
    bad = stub.VerifyAccount(
        identity_pb2.VerifyAccountRequest(account_id=resident, document_type="numer ABC123"),
        metadata=clerk,
    )
    assert await code_of(bad) == grpc.StatusCode.INVALID_ARGUMENT
    v = await stub.VerifyAccount(
        identity_pb2.VerifyAccountRequest(
            account_id=resident, document_type="dowod_osobisty", client_address="10.0.0.5"
        ),
        metadata=clerk,
    )
    assert v.details.account.state == "verified" and v.details.verified_by == "Anna Urzędniczka"
    await stub.LinkPayer(
        identity_pb2.LinkPayerRequest(account_id=resident, payer_id="p-000001"), metadata=clerk
    )
    linked = await stub.LinkPayer(
        identity_pb2.LinkPayerRequest(account_id=resident, payer_id="P-000002"), metadata=clerk
    )
    assert list(linked.details.account.payer_ids) == ["P-000001", "P-000002"]
    of_payer = await stub.ListAccountsOfPayer(
        identity_pb2.ListAccountsOfPayerRequest(payer_id="P-000001"), metadata=clerk
    )
    assert [a.account_id for a in of_payer.accounts] == [resident]
    bad_payer = stub.LinkPayer(
        identity_pb2.LinkPayerRequest(account_id=resident, payer_id="zły numer!"), metadata=clerk
    )
    assert await code_of(bad_payer) == grpc.StatusCode.INVALID_ARGUMENT
    unlinked = await stub.UnlinkPayer(
        identity_pb2.UnlinkPayerRequest(account_id=resident, payer_id="P-000002"), metadata=clerk
    )
    assert list(unlinked.details.account.payer_ids) == ["P-000001"]
    s = await stub.SuspendAccount(
        identity_pb2.SuspendAccountRequest(account_id=resident, reason="na wniosek"), metadata=clerk
    )
    assert s.details.account.state == "suspended"
    r = await stub.ReinstateAccount(
        identity_pb2.ReinstateAccountRequest(account_id=resident), metadata=clerk
    )
    assert r.details.account.state == "verified"
    log = await stub.ListAuditEntries(
        identity_pb2.ListAuditEntriesRequest(account_id=resident), metadata=clerk
    )
    actions = [e.action for e in log.entries]
    assert actions[:6] == [
        "account.reinstated",
        "account.suspended",
        "payer.unlinked",
        "payer.linked",
        "payer.linked",
        "account.verified",
    ]
    verified = log.entries[5]
    assert verified.actor_name == "Anna Urzędniczka" and verified.client_address == "10.0.0.5"
    assert (
        json.loads(verified.before_json)["state"] == "active"
        and json.loads(verified.after_json)["state"] == "verified"
    )


async def test_services_read_but_cannot_act(identity, stub):
    resident = await make_resident(identity, state="verified", payers=("P-000009",))
    svc = call_metadata(mint(identity, "service:water", roles=["service"]))
    got = await stub.ListAccountsOfPayer(
        identity_pb2.ListAccountsOfPayerRequest(payer_id="P-000009"), metadata=svc
    )
    assert [a.account_id for a in got.accounts] == [resident]
    act = stub.SuspendAccount(
        identity_pb2.SuspendAccountRequest(account_id=resident, reason="x"), metadata=svc
    )
    assert await code_of(act) == grpc.StatusCode.PERMISSION_DENIED
