"""Authlib authorization server: code + PKCE with OIDC, refresh rotation, client credentials.

Authlib's grants are synchronous; every call runs inside `AsyncSession.run_sync`, so the
grant hooks below use the request's synchronous `Session` in the same transaction.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar

from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import InvalidRequestError, OAuth2Request, grants
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from identity.accounts.models import Account, PayerLink
from identity.clock import aware, now
from identity.config import Settings
from identity.oidc.clients import Client, load_clients
from identity.oidc.keys import KeyRing
from identity.oidc.models import AuthorizationCode, RefreshToken

AUDIENCE = "portal"
CLIENT_AUTH = ["client_secret_basic", "client_secret_post"]


def sha(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass
class UserView:
    """An account as tokens describe it (payers only once the account is verified)."""

    account: Account
    payers: list[str]
    auth_time: int = 0
    amr: str = "pwd"

    def get_user_id(self) -> str:
        return self.account.id


def token_holder(user: UserView | None) -> UserView | None:
    """The user unless their password, set by someone else, still waits to be replaced."""
    return None if user is None or user.account.must_change_password else user


def load_user(
    db: Session, account_id: str, *, auth_time: int = 0, amr: str = "pwd"
) -> UserView | None:
    """The account if it may hold tokens (active or verified), else None."""
    account = db.get(Account, account_id)
    if account is None or account.state not in ("active", "verified"):
        return None
    payers: list[str] = []
    if account.state == "verified":
        payers = list(
            db.execute(
                select(PayerLink.payer_id)
                .where(PayerLink.account_id == account.id)
                .order_by(PayerLink.payer_id)
            ).scalars()
        )
    return UserView(account, payers, auth_time, amr)


class PortalRequest(OAuth2Request):  # type: ignore[misc]
    """An OAuth2Request built from an already read Starlette request, carrying the sync session."""

    def __init__(
        self,
        method: str,
        uri: str,
        headers: Any,
        args: dict[str, str],
        form: dict[str, str],
        db: Session,
    ) -> None:
        super().__init__(method, uri, headers=headers)
        self._args, self._form = args, form
        self.payload = BasicOAuth2Payload({**args, **form})
        self.db = db

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


def _db(request: Any) -> Session:
    return request.db  # type: ignore[no-any-return]


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = CLIENT_AUTH

    def save_authorization_code(self, code: str, request: Any) -> None:
        user: UserView = request.user
        data = request.payload.data
        _db(request).add(
            AuthorizationCode(
                code_hash=sha(code),
                client_id=request.client.client_id,
                account_id=user.account.id,
                redirect_uri=request.payload.redirect_uri or "",
                scope=request.payload.scope or "",
                nonce=data.get("nonce") or "",
                code_challenge=data.get("code_challenge") or "",
                code_challenge_method=data.get("code_challenge_method") or "",
                auth_time=user.auth_time,
                amr=user.amr,
                expires_at=now() + timedelta(seconds=self.server.settings.code_ttl_s),
            )
        )

    def query_authorization_code(self, code: str, client: Client) -> AuthorizationCode | None:
        row = _db(self.request).get(AuthorizationCode, sha(code))
        if row is None or row.client_id != client.client_id:
            return None
        expires = aware(row.expires_at)
        return row if expires is not None and expires > now() else None

    def delete_authorization_code(self, authorization_code: AuthorizationCode) -> None:
        _db(self.request).delete(authorization_code)

    def authenticate_user(self, authorization_code: AuthorizationCode) -> UserView | None:
        return token_holder(
            load_user(
                _db(self.request),
                authorization_code.account_id,
                auth_time=authorization_code.auth_time,
                amr=authorization_code.amr,
            )
        )


class RefreshTokenGrant(grants.RefreshTokenGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = CLIENT_AUTH
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token: str) -> RefreshToken | None:
        db = _db(self.request)
        row = db.get(RefreshToken, sha(refresh_token))
        if row is None:
            return None
        if row.is_revoked():
            # a used token came back: someone kept a copy; end the whole chain
            db.execute(
                update(RefreshToken)
                .where(RefreshToken.family == row.family, RefreshToken.revoked_at.is_(None))
                .values(revoked_at=now())
            )
            return None
        return None if row.is_expired() else row

    def authenticate_user(self, refresh_token: RefreshToken) -> UserView | None:
        return token_holder(load_user(_db(self.request), refresh_token.account_id))

    def revoke_old_credential(self, refresh_token: RefreshToken) -> None:
        refresh_token.revoked_at = now()


class ClientCredentialsGrant(grants.ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = CLIENT_AUTH


class StrictCodeChallenge(CodeChallenge):  # type: ignore[misc]
    """PKCE with S256 for every client, confidential ones too (OAuth 2.1)."""

    SUPPORTED_CODE_CHALLENGE_METHOD: ClassVar[list[str]] = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE with code_challenge_method=S256 is required")
        super().validate_code_challenge(grant, redirect_uri)


class PortalOpenIDCode(OpenIDCode):  # type: ignore[misc]
    """ID tokens signed with the current key; a nonce may be used once."""

    def __init__(self, provider: Provider) -> None:
        super().__init__(require_nonce=False)
        self.provider = provider

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        row = (
            _db(request)
            .execute(
                select(AuthorizationCode.code_hash).where(
                    AuthorizationCode.nonce == nonce,
                    AuthorizationCode.client_id == request.payload.client_id,
                )
            )
            .first()
        )
        return row is not None

    def resolve_client_private_key(self, client: Client) -> Any:
        return self.provider.keys.signing

    def get_client_algorithm(self, client: Client) -> str:
        return "RS256"

    def get_encode_header(self, client: Client) -> dict[str, str]:
        return {"alg": "RS256", "kid": str(self.provider.keys.signing.kid)}

    def get_client_claims(self, client: Client) -> dict[str, Any]:
        return {
            "iss": self.provider.settings.issuer,
            "aud": [client.client_id],
            "exp": int(time.time()) + 3600,
        }

    def generate_user_info(self, user: UserView, scope: str) -> UserInfo:
        return self.provider.user_info(user, scope)


class Provider(AuthorizationServer):  # type: ignore[misc]
    """The authorization server of the portal."""

    def __init__(self, settings: Settings, keys: KeyRing) -> None:
        super().__init__(
            scopes_supported=["openid", "profile", "email", "offline_access", "portal"]
        )
        self.settings = settings
        self.keys = keys
        self.clients = load_clients(settings)
        self.register_token_generator(
            "default",
            BearerTokenGenerator(self._access_token, self._refresh_token, self._expires_in),
        )
        self.register_grant(
            AuthorizationCodeGrant, [StrictCodeChallenge(required=True), PortalOpenIDCode(self)]
        )
        self.register_grant(RefreshTokenGrant)
        self.register_grant(ClientCredentialsGrant)

    # --- AuthorizationServer hooks
    def query_client(self, client_id: str) -> Client | None:
        return self.clients.get(client_id)

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        if "refresh_token" not in token or request.user is None:
            return
        old: RefreshToken | None = request.refresh_token
        _db(request).add(
            RefreshToken(
                token_hash=sha(token["refresh_token"]),
                family=old.family if old else str(uuid.uuid4()),
                client_id=request.client.client_id,
                account_id=request.user.account.id,
                scope=token.get("scope", ""),
                issued_at=now(),
                expires_at=now() + timedelta(seconds=self.settings.refresh_token_ttl_s),
            )
        )

    def create_oauth2_request(self, request: Any) -> Any:
        return request

    def create_json_request(self, request: Any) -> Any:
        return request

    def handle_response(
        self, status: int, body: Any, headers: Any
    ) -> tuple[int, Any, list[tuple[str, str]]]:
        return status, body, list(headers)

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None

    # --- tokens
    def _expires_in(self, client: Client, grant_type: str) -> int:
        return (
            self.settings.service_token_ttl_s
            if client.is_service
            else self.settings.access_token_ttl_s
        )

    def _refresh_token(self, client: Client, grant_type: str, user: Any, scope: str) -> str | None:
        return None if client.is_service else secrets.token_urlsafe(48)

    def _access_token(
        self, client: Client, grant_type: str, user: UserView | None, scope: str
    ) -> str:
        issued = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.settings.issuer,
            "aud": AUDIENCE,
            "iat": issued,
            "jti": uuid.uuid4().hex,
            "exp": issued + self._expires_in(client, grant_type),
            "client_id": client.client_id,
            "scope": scope,
        }
        if user is None:
            claims |= {"sub": f"service:{client.client_id}", "roles": ["service"], "payers": []}
        else:
            a = user.account
            claims |= {
                "sub": a.id,
                "roles": a.role_list,
                "payers": user.payers,
                "state": a.state,
                "name": a.display_name,
                "email": a.email,
                "kind": a.kind,
            }
        return self.keys.sign(claims, typ="at+jwt")

    def user_info(self, user: UserView, scope: str) -> UserInfo:
        a = user.account
        info = UserInfo(
            sub=a.id,
            name=a.display_name,
            locale=a.language,
            state=a.state,
            roles=a.role_list,
            payers=user.payers,
        )
        if "email" in (scope or "").split() or "openid" in (scope or "").split():
            info["email"] = a.email
            info["email_verified"] = a.state != "registered"
        return info
