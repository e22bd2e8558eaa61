"""The OpenID Connect provider: discovery, code + PKCE, refresh rotation, client credentials, keys."""

from __future__ import annotations

import httpx
import pytest
from identity_test_helpers import (
    PASSWORD,
    PERSON,
    Pkce,
    base_url,
    make_resident,
    path_of,
    query_of,
    submit,
)

from identity.oidc import keys as signing_keys
from portal_platform.auth import TokenVerifier
from portal_platform.config import DEV_SECRET
from portal_platform.errors import Unauthenticated
from portal_platform.service_tokens import ClientCredentialsTokens

REDIRECT = "http://127.0.0.1:8000/auth/callback"


def verifier_for(rt) -> TokenVerifier:
    iss = base_url(rt)
    return TokenVerifier(
        issuer=iss,
        audience="portal",
        jwks_url=f"{iss}/.well-known/jwks.json",
        refresh_min_interval_s=0,
    )


async def login_code(
    browser: httpx.AsyncClient,
    pkce: Pkce,
    *,
    email: str = PERSON["email"],
    client_id: str = "gateway",
    redirect: str = REDIRECT,
    nonce: str = "n-1",
) -> httpx.Response:
    """Run /authorize → login form → /authorize; return the final redirect to the client."""
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect,
        "scope": "openid profile email offline_access",
        "state": "st-1",
        "nonce": nonce,
        "code_challenge": pkce.challenge,
        "code_challenge_method": "S256",
    }
    r = await browser.get("/authorize", params=params)
    if r.status_code == 302:
        return r
    assert r.status_code == 303 and r.headers["location"].startswith("/logowanie?next=")
    login_page = r.headers["location"]
    next_target = query_of(login_page)["next"]
    r = await submit(
        browser,
        login_page,
        "/logowanie",
        {"email": email, "password": PASSWORD, "next": next_target},
    )
    assert r.status_code == 303, r.text
    return await browser.get(r.headers["location"])


async def test_a_nonce_is_used_once(identity, browser):
    await make_resident(identity)
    pkce = Pkce.new()
    assert (await login_code(browser, pkce, nonce="same")).status_code == 302
    replay = await browser.get(
        "/authorize",
        params={
            "response_type": "code",
            "client_id": "gateway",
            "redirect_uri": REDIRECT,
            "scope": "openid",
            "nonce": "same",
            "code_challenge": pkce.challenge,
            "code_challenge_method": "S256",
        },
    )
    assert replay.status_code in (302, 400) and "code=" not in replay.headers.get("location", "")


async def exchange(
    browser: httpx.AsyncClient, code: str, pkce: Pkce, **extra: str
) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "code_verifier": pkce.verifier,
        **extra,
    }
    return await browser.post("/token", data=data, auth=("gateway", DEV_SECRET))


async def test_discovery_and_jwks(identity, browser):
    conf = (await browser.get("/.well-known/openid-configuration")).json()
    assert conf["issuer"] == base_url(identity)
    assert (
        conf["jwks_uri"].endswith("/.well-known/jwks.json")
        and "S256" in conf["code_challenge_methods_supported"]
    )
    jwks = (await browser.get("/.well-known/jwks.json")).json()
    assert len(jwks["keys"]) == 1 and "d" not in jwks["keys"][0] and jwks["keys"][0]["kid"]


async def test_code_flow_with_pkce_refresh_and_reuse_detection(identity, browser):
    await make_resident(identity)
    pkce = Pkce.new()
    r = await login_code(browser, pkce)
    assert r.status_code == 302 and r.headers["location"].startswith(REDIRECT)
    q = query_of(r.headers["location"])
    assert q["state"] == "st-1"
    wrong = await exchange(browser, q["code"], Pkce.new())
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant", wrong.text
    r = await login_code(browser, pkce, nonce="n-2")  # the identity session exists: straight back
    code = query_of(r.headers["location"])["code"]
    tok = await exchange(browser, code, pkce)
    assert tok.status_code == 200, tok.text
    body = tok.json()
    assert {"access_token", "id_token", "refresh_token", "expires_in"} <= set(body)
    principal = await verifier_for(identity).verify(body["access_token"])
    assert principal.roles == {"resident"} and principal.payers == frozenset()
    assert principal.claims["state"] == "active" and principal.claims["email"] == PERSON["email"]
    again = await exchange(browser, code, pkce)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    # id token: for the client, not for services
    with pytest.raises(Unauthenticated):
        await verifier_for(identity).verify(body["id_token"])
    refreshed = await browser.post(
        "/token",
        data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
        auth=("gateway", DEV_SECRET),
    )
    assert refreshed.status_code == 200, refreshed.text
    new = refreshed.json()
    assert new["refresh_token"] != body["refresh_token"]
    reused = await browser.post(
        "/token",
        data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
        auth=("gateway", DEV_SECRET),
    )
    assert reused.status_code == 400
    # the reuse revoked the whole chain, the new token included
    chain = await browser.post(
        "/token",
        data={"grant_type": "refresh_token", "refresh_token": new["refresh_token"]},
        auth=("gateway", DEV_SECRET),
    )
    assert chain.status_code == 400


async def test_authorize_refuses_unknown_redirect_and_missing_pkce(identity, browser):
    await make_resident(identity)
    bad = await browser.get(
        "/authorize",
        params={
            "response_type": "code",
            "client_id": "gateway",
            "redirect_uri": "https://evil.example/cb",
            "scope": "openid",
            "code_challenge": Pkce.new().challenge,
            "code_challenge_method": "S256",
        },
    )
    assert bad.status_code == 400 and "evil" not in bad.headers.get("location", "")
    await login_code(browser, Pkce.new())
    no_pkce = await browser.get(
        "/authorize",
        params={
            "response_type": "code",
            "client_id": "gateway",
            "redirect_uri": REDIRECT,
            "scope": "openid",
            "state": "s",
        },
    )
    assert no_pkce.status_code == 400 and "invalid_request" in no_pkce.text
    assert "code=" not in no_pkce.headers.get("location", "")


async def test_client_credentials_for_services(identity):
    iss = base_url(identity)
    tokens = ClientCredentialsTokens(f"{iss}/token", "water", DEV_SECRET)
    principal = await verifier_for(identity).verify(await tokens.token())
    assert (
        principal.roles == {"service"}
        and principal.subject == "service:water"
        and principal.is_staff
    )
    with pytest.raises(Unauthenticated):
        await ClientCredentialsTokens(f"{iss}/token", "water", "wrong-secret").token()


async def test_key_rotation_keeps_old_tokens_valid(identity, browser):
    iss = base_url(identity)
    tokens = ClientCredentialsTokens(f"{iss}/token", "billing", DEV_SECRET)
    old = await tokens.token()
    verifier = verifier_for(identity)
    await verifier.verify(old)
    async with identity.db.transaction() as session:
        new_kid = await signing_keys.rotate(session, identity.state["keys"].seal)
    await identity.state["keys"].refresh(identity.db, force=True)
    fresh = await ClientCredentialsTokens(f"{iss}/token", "billing", DEV_SECRET).token()
    assert (
        await verifier.verify(fresh)
    ).subject == "service:billing"  # unknown kid → JWKS refetched
    assert (await verifier_for(identity).verify(old)).subject == "service:billing"
    jwks = (await browser.get("/.well-known/jwks.json")).json()
    assert new_kid in [k["kid"] for k in jwks["keys"]] and len(jwks["keys"]) == 2
    async with identity.db.transaction() as session:
        await signing_keys.rotate(session, identity.state["keys"].seal)
    await identity.state["keys"].refresh(identity.db, force=True)
    jwks = (await browser.get("/.well-known/jwks.json")).json()
    assert len(jwks["keys"]) == 2  # the oldest key left the set


async def test_tampered_token_is_refused(identity):
    tokens = ClientCredentialsTokens(f"{base_url(identity)}/token", "water", DEV_SECRET)
    token = await tokens.token()
    head, payload, sig = token.split(".")
    tampered = f"{head}.{payload[:-4]}AAAA.{sig}"
    with pytest.raises(Unauthenticated):
        await verifier_for(identity).verify(tampered)
    with pytest.raises(Unauthenticated):
        await verifier_for(identity).verify(f"{head}.{payload}.{sig[:-6]}AAAAAA")


async def test_end_session_clears_the_identity_session(identity, browser):
    await make_resident(identity)
    pkce = Pkce.new()
    r = await login_code(browser, pkce)
    tok = (await exchange(browser, query_of(r.headers["location"])["code"], pkce)).json()
    out = await browser.get(
        "/end-session",
        params={
            "id_token_hint": tok["id_token"],
            "post_logout_redirect_uri": "http://127.0.0.1:8000/wylogowano",
        },
    )
    assert out.status_code == 303 and out.headers["location"] == "http://127.0.0.1:8000/wylogowano"
    r = await browser.get(
        path_of(
            f"/authorize?response_type=code&client_id=gateway&redirect_uri={REDIRECT}"
            f"&scope=openid&code_challenge={pkce.challenge}&code_challenge_method=S256"
        )
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/logowanie")


async def test_revoking_a_refresh_token_ends_its_chain(identity, browser):
    await make_resident(identity)
    pkce = Pkce.new()
    r = await login_code(browser, pkce)
    tok = (await exchange(browser, query_of(r.headers["location"])["code"], pkce)).json()
    other_client = await browser.post(
        "/revoke", data={"token": tok["refresh_token"]}, auth=("admin", DEV_SECRET)
    )
    assert other_client.status_code == 400  # not admin's token
    out = await browser.post(
        "/revoke",
        data={"token": tok["refresh_token"], "token_type_hint": "refresh_token"},
        auth=("gateway", DEV_SECRET),
    )
    assert out.status_code == 200
    again = await browser.post(
        "/token",
        data={"grant_type": "refresh_token", "refresh_token": tok["refresh_token"]},
        auth=("gateway", DEV_SECRET),
    )
    assert again.status_code == 400


async def test_ui_locales_switches_the_login_page_to_english(identity, browser):
    r = await browser.get(
        "/authorize",
        params={
            "response_type": "code",
            "client_id": "gateway",
            "redirect_uri": REDIRECT,
            "scope": "openid",
            "ui_locales": "en",
            "code_challenge": Pkce.new().challenge,
            "code_challenge_method": "S256",
        },
    )
    page = await browser.get(r.headers["location"])
    assert 'lang="en"' in page.text and "Log in" in page.text


async def test_private_keys_are_stored_encrypted_and_old_plain_rows_are_sealed(identity):
    import json

    from sqlalchemy import select

    from identity.oidc.models import SigningKey

    ring = identity.state["keys"]
    await ring.refresh(identity.db, force=True)
    async with identity.db.sessions() as session:
        stored = [k.private_jwk for k in (await session.execute(select(SigningKey))).scalars()]
    assert stored and all(x.startswith(signing_keys.SEALED) for x in stored)
    assert all('"d"' not in x and '"p"' not in x for x in stored)  # no private numbers in clear
    # a row written in plain JSON by an earlier version is still used, and sealed on load
    plain = signing_keys.RSAKey.generate_key(2048, parameters={"kid": "legacy-1", "alg": "RS256"})
    async with identity.db.transaction() as session:
        session.add(
            SigningKey(
                kid="legacy-1",
                private_jwk=json.dumps(plain.as_dict(private=True)),
                created_at=signing_keys.now(),
            )
        )
    await ring.refresh(identity.db, force=True)
    assert ring.signing.kid == "legacy-1"
    async with identity.db.sessions() as session:
        legacy = await session.get(SigningKey, "legacy-1")
    assert legacy is not None and legacy.private_jwk.startswith(signing_keys.SEALED)
    # another secret cannot open them: a clear error, not a silent new key
    other = signing_keys.KeyRing(signing_keys.KeySeal("another-secret"))
    with pytest.raises(RuntimeError, match="IDENTITY_SECRET_KEY"):
        await other.refresh(identity.db, force=True)
