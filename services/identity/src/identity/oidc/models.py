"""Tables of the provider: signing keys, authorization codes, refresh tokens."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from identity.db import Base

TS = sa.DateTime(timezone=True)


class SigningKey(Base):
    """An RSA key signing tokens; the newest active one signs, older ones stay in the JWKS."""

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    private_jwk: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(TS)
    retired_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)


class AuthorizationCode(Base):
    """A single-use authorization code (kept only as a hash) with its PKCE challenge."""

    __tablename__ = "authorization_codes"

    code_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(sa.String(64))
    account_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    redirect_uri: Mapped[str] = mapped_column(sa.String(500))
    scope: Mapped[str] = mapped_column(sa.String(200))
    nonce: Mapped[str] = mapped_column(sa.String(200), default="")
    code_challenge: Mapped[str] = mapped_column(sa.String(128), default="")
    code_challenge_method: Mapped[str] = mapped_column(sa.String(10), default="")
    auth_time: Mapped[int] = mapped_column(sa.Integer)
    amr: Mapped[str] = mapped_column(sa.String(40), default="pwd")
    expires_at: Mapped[datetime] = mapped_column(TS)

    # Authlib's AuthorizationCodeMixin / OIDC models
    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce or None

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str:
        return ""

    def get_amr(self) -> list[str]:
        return self.amr.split()


class RefreshToken(Base):
    """A refresh token (hash only); rotated on use, a reused one revokes its family."""

    __tablename__ = "refresh_tokens"

    token_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    family: Mapped[str] = mapped_column(sa.String(36), index=True)
    client_id: Mapped[str] = mapped_column(sa.String(64))
    account_id: Mapped[str] = mapped_column(sa.String(36), index=True)
    scope: Mapped[str] = mapped_column(sa.String(200))
    issued_at: Mapped[datetime] = mapped_column(TS)
    expires_at: Mapped[datetime] = mapped_column(TS)
    revoked_at: Mapped[datetime | None] = mapped_column(TS, nullable=True)

    # Authlib's TokenMixin
    def check_client(self, client: object) -> bool:
        return getattr(client, "client_id", None) == self.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return int((self.expires_at - self.issued_at).total_seconds())

    def is_expired(self) -> bool:
        from datetime import UTC

        exp = self.expires_at if self.expires_at.tzinfo else self.expires_at.replace(tzinfo=UTC)
        return exp <= datetime.now(UTC)

    def is_revoked(self) -> bool:
        return self.revoked_at is not None
