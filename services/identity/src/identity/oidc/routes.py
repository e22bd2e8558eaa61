"""HTTP endpoints of the provider: discovery, JWKS, authorize, token, userinfo, end-session."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import InvalidGrantError
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oidc.rpinitiated import EndSessionEndpoint
from fastapi import APIRouter, Request
from joserfc import jwt
from joserfc.errors import JoseError
from sqlalchemy import update
from starlette.responses import JSONResponse, RedirectResponse, Response

from identity.accounts import service as accounts
from identity.clock import now
from identity.oidc.models import RefreshToken
from identity.oidc.server import AUDIENCE, PortalRequest, Provider, UserView, load_user, sha
from identity.web.i18n import LANGUAGES, language, translator
from identity.web.login import CHANGE_PASSWORD_PATH
from identity.web.render import message, render
from portal_platform.csrf import FIELD as CSRF_FIELD
from portal_platform.csrf import verify_csrf

router = APIRouter()


class EndSession(EndSessionEndpoint):  # type: ignore[misc]
    """RP-initiated logout; the route clears the identity session itself."""

    def get_server_jwks(self) -> dict[str, Any]:
        return self.server.keys.jwks()  # type: ignore[no-any-return]

    def end_session(self, end_session_request: Any) -> None:
        return None

    def _is_valid_post_logout_redirect_uri(
        self, client: Any, post_logout_redirect_uri: str
    ) -> bool:
        return bool(client.allows_logout_uri(post_logout_redirect_uri))

    def is_post_logout_redirect_uri_legitimate(
        self, request: Any, post_logout_redirect_uri: str, client: Any, logout_hint: Any
    ) -> bool:
        # our own clients (gateway, admin) with a registered URI: logout needs no confirmation
        return client is not None and not client.is_service

    def resolve_client_from_id_token_claims(self, id_token_claims: dict[str, Any]) -> Any:
        aud = id_token_claims.get("aud")
        if isinstance(aud, list) and len(aud) == 1:
            aud = aud[0]
        return self.server.query_client(aud) if isinstance(aud, str) else None


class Revocation(RevocationEndpoint):  # type: ignore[misc]
    """RFC 7009 for refresh tokens: revoking one ends its whole rotation chain."""

    CLIENT_AUTH_METHODS: ClassVar[list[str]] = ["client_secret_basic", "client_secret_post"]
    SUPPORTED_TOKEN_TYPES: ClassVar[tuple[str, ...]] = ("refresh_token",)

    def authenticate_token(self, request: Any, client: Any) -> Any:
        self.check_params(request, client)
        token = request.db.get(RefreshToken, sha(request.form["token"]))
        if token is not None and not token.check_client(client):
            raise InvalidGrantError()
        return token

    def revoke_token(self, token: RefreshToken, request: Any) -> None:
        request.db.execute(
            update(RefreshToken)
            .where(RefreshToken.family == token.family, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now())
        )


def provider(request: Request) -> Provider:
    return request.app.state.provider  # type: ignore[no-any-return]


async def _oauth_request(request: Request, session: Any) -> PortalRequest:
    form: dict[str, str] = {}
    if request.method == "POST":
        form = {
            k: str(v)
            for k, v in (await request.form()).items()
            if isinstance(v, str) and k != CSRF_FIELD
        }
    issuer = provider(request).settings.issuer
    uri = issuer + request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return PortalRequest(
        request.method, uri, request.headers, dict(request.query_params), form, session
    )


def _to_response(result: tuple[int, Any, list[tuple[str, str]]]) -> Response:
    status, body, headers = result
    content = body if isinstance(body, str) else json.dumps(body)
    return Response(content, status_code=status, headers=dict(headers))


@router.get("/.well-known/openid-configuration")
async def discovery(request: Request) -> JSONResponse:
    iss = provider(request).settings.issuer
    return JSONResponse(
        {
            "issuer": iss,
            "authorization_endpoint": f"{iss}/authorize",
            "token_endpoint": f"{iss}/token",
            "userinfo_endpoint": f"{iss}/userinfo",
            "jwks_uri": f"{iss}/.well-known/jwks.json",
            "end_session_endpoint": f"{iss}/end-session",
            "revocation_endpoint": f"{iss}/revoke",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "claims_supported": [
                "sub",
                "name",
                "email",
                "email_verified",
                "locale",
                "roles",
                "payers",
                "state",
            ],
            "ui_locales_supported": ["pl", "en"],
        }
    )


@router.get("/.well-known/jwks.json")
async def jwks(request: Request) -> JSONResponse:
    rt = request.app.state.runtime
    await provider(request).keys.refresh(rt.db)
    return JSONResponse(
        provider(request).keys.jwks(), headers={"Cache-Control": "public, max-age=60"}
    )


def _signed_in(request: Request, session: Any) -> UserView | None:
    """The account of the identity session, if the session is still valid."""
    uid = request.session.get("uid")
    if not uid:
        return None
    user = load_user(
        session,
        uid,
        auth_time=int(request.session.get("auth_time", 0)),
        amr=str(request.session.get("amr", "pwd")),
    )
    if user is None or user.account.security_stamp != request.session.get("stamp"):
        return None
    return user


@router.get("/authorize")
async def authorize(request: Request) -> Response:
    rt, server = request.app.state.runtime, provider(request)
    wanted = request.query_params.get("ui_locales", "").split(" ")[0][:2]
    if wanted in LANGUAGES:
        request.session["lang"] = wanted
    await server.keys.refresh(rt.db)
    async with rt.db.transaction() as session:
        oauth_req = await _oauth_request(request, None)

        def run(sync_session: Any) -> Any:
            oauth_req.db = sync_session
            try:
                server.get_consent_grant(oauth_req)
            except OAuth2Error as error:
                return ("error", error)
            user = _signed_in(request, sync_session)
            if user is None:
                return ("login", None)
            client = server.query_client(oauth_req.payload.client_id)
            if client is not None and client.staff_only and not user.account.is_staff:
                return ("staff_only", None)
            if user.account.is_staff and "otp" not in user.amr:
                return ("login", None)
            if user.account.must_change_password:
                return ("change_password", None)
            return ("ok", server.create_authorization_response(oauth_req, grant_user=user))

        outcome, value = await session.run_sync(run)
    if outcome == "error":
        return render(
            request,
            "message.html",
            400,
            title="Błąd logowania",
            text=f"Nieprawidłowe żądanie logowania ({value.error}).",
            links=[],
        )
    if outcome == "login":
        request.session.pop("uid", None)
        target = request.url.path + "?" + request.url.query
        return RedirectResponse(f"/logowanie?next={_quote(target)}", status_code=303)
    if outcome == "change_password":
        # no code until the owner replaced the password someone else set
        request.session["next"] = request.url.path + "?" + request.url.query
        return RedirectResponse(CHANGE_PASSWORD_PATH, status_code=303)
    if outcome == "staff_only":
        return message(request, "login_title", "staff_only", status_code=403)
    return _to_response(value)


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


@router.post("/token")
async def token(request: Request) -> Response:
    rt, server = request.app.state.runtime, provider(request)
    await server.keys.refresh(rt.db)
    async with rt.db.transaction() as session:
        oauth_req = await _oauth_request(request, None)

        def run(sync_session: Any) -> Any:
            oauth_req.db = sync_session
            return server.create_token_response(oauth_req)

        result = await session.run_sync(run)
    response = _to_response(result)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/revoke")
async def revoke(request: Request) -> Response:
    rt, server = request.app.state.runtime, provider(request)
    async with rt.db.transaction() as session:
        oauth_req = await _oauth_request(request, None)

        def run(sync_session: Any) -> Any:
            oauth_req.db = sync_session
            return server.create_endpoint_response("revocation", oauth_req)

        result = await session.run_sync(run)
    return _to_response(result)


@router.get("/userinfo")
async def userinfo(request: Request) -> Response:
    server = provider(request)
    await server.keys.refresh(request.app.state.runtime.db)
    auth = request.headers.get("authorization", "")
    if not auth.lower().startswith("bearer "):
        return JSONResponse({"error": "invalid_token"}, status_code=401)
    try:
        tok = jwt.decode(auth[7:].strip(), server.keys.key_set())
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": server.settings.issuer},
            aud={"essential": True, "value": AUDIENCE},
            exp={"essential": True},
        ).validate(tok.claims)
    except (JoseError, ValueError):
        return JSONResponse({"error": "invalid_token"}, status_code=401)
    rt = request.app.state.runtime
    async with rt.db.sessions() as session:
        user = await session.run_sync(lambda s: load_user(s, str(tok.claims.get("sub", ""))))
    if user is None:
        return JSONResponse({"error": "invalid_token"}, status_code=401)
    return JSONResponse(dict(server.user_info(user, "openid email")))


@router.api_route("/end-session", methods=["GET", "POST"])
async def end_session(request: Request) -> Response:
    server = provider(request)
    rt = request.app.state.runtime
    if request.method == "POST":
        await verify_csrf(request)
    await server.keys.refresh(rt.db)
    oauth_req = await _oauth_request(request, None)
    try:
        end = server.validate_endpoint_request("end_session", oauth_req)
    except OAuth2Error as error:
        return render(
            request, "message.html", 400, title="Wylogowanie", text=str(error.description), links=[]
        )
    if end.needs_confirmation and not end.redirect_uri and request.method == "GET":
        return render(request, "logout.html", params=dict(oauth_req.payload.data))
    lang = language(request)
    request.session.clear()
    request.session["lang"] = lang
    if end.redirect_uri:
        return RedirectResponse(end.redirect_uri, status_code=303)
    t = translator(lang)
    return message(
        request,
        "logout_submit",
        "logged_out",
        links=[(server.settings.gateway_url + "/", t("go_portal"))],
    )


@router.get("/")
async def home(request: Request) -> Response:
    t = translator(language(request))
    rt = request.app.state.runtime
    async with rt.db.sessions() as session:
        uid = request.session.get("uid")
        account = await accounts.get(session, uid) if uid else None
    links = [(provider(request).settings.gateway_url + "/", t("go_portal"))]
    if account is None:
        links.append(("/logowanie", t("login_link")))
    return render(
        request,
        "message.html",
        title=t("home_title"),
        text=account.display_name if account else t("register_intro"),
        links=links,
    )
