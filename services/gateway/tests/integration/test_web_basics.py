"""Gateway basics: health page, Polish error pages, security headers, session cookie flags."""

from __future__ import annotations

import httpx

from gateway.app import definition


async def test_home_lists_configured_services_and_errors_are_polish(start_service):
    billing_like = "billing=127.0.0.1:1"  # nothing listens there: shown as not responding
    rt = await start_service(definition, grpc_services=billing_like)
    base = f"http://127.0.0.1:{rt.settings.http_port}"
    async with httpx.AsyncClient(base_url=base) as client:
        home = await client.get("/")
        assert home.status_code == 200
        assert "Stan usług systemu" in home.text
        assert "nie odpowiada" in home.text
        csp = home.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "'unsafe-inline'" not in csp
        assert home.headers["x-content-type-options"] == "nosniff"
        assert "strict-transport-security" not in home.headers  # local/test mode only

        missing = await client.get("/nie-ma-takiej-strony")
        assert missing.status_code == 404
        assert "Nie znaleziono strony" in missing.text
        assert "Traceback" not in missing.text

        api_missing = await client.get("/api/v1/nie-ma")
        assert api_missing.status_code == 404
        assert api_missing.json()["error"]["status"] == 404

        health = await client.get("/healthz")
        assert health.json()["status"] == "SERVING"
