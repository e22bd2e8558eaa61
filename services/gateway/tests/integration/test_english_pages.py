"""A resident who chose English sees the services' texts in English too.

Real billing, water, waste and property-tax services with their demo data, and the gateway;
the resident's session is a signed cookie with a token of the test issuer. Every resident
page is read in English: none of the services' Polish texts may be left, and no Polish word
outside an element marked lang="pl".
"""

from __future__ import annotations

import asyncio
import json
import re
from base64 import b64encode

import httpx
import itsdangerous
import pytest
from bs4 import BeautifulSoup

from billing.app import definition as billing
from gateway.app import definition as gateway
from portal.billing.v1 import billing_pb2, billing_pb2_grpc
from portal_platform.config import DEV_SECRET
from portal_platform.rpc.client import call, channel
from property_tax.app import definition as property_tax
from property_tax.commands import DEMO_PAYER
from property_tax.commands import demo as property_tax_demo
from waste.app import definition as waste
from waste.demo import load_demo as waste_demo
from water.app import definition as water
from water.demo import load_demo as water_demo

MODULES = ("water", "waste", "property_tax")
PAGES = ["/", "/naleznosci", "/naleznosci/historia", "/dokumenty", "/platnosci", "/woda",
         "/odpady", "/podatki", "/modul/property_tax",
         f"/podatki/informacja?platnik={DEMO_PAYER}"]  # fmt: skip
# words of the services' Polish texts that have no Polish letters (those are caught anyway)
POLISH_WORDS = re.compile(
    r"\b(rata|raty|Decyzja|Deklaracja|Abonament|Faktura|Odczyt|odczyt|Podatek|Woda|Kwota|"
    r"odpady|komunalne|grunty|budynki|budowle|jednorazowo|wodomierza|termin)\b"
)
POLISH_LETTERS = re.compile(r"\w*[ąćęłńóśźżĄĆĘŁŃÓŚŹŻ]\w*")
pytestmark = pytest.mark.timeout(240)


def session_cookie(data: dict) -> str:
    """A cookie as Starlette's SessionMiddleware signs it (the login stores "user")."""
    signer = itsdangerous.TimestampSigner(DEV_SECRET)
    return signer.sign(b64encode(json.dumps(data).encode())).decode()


def polish_left(html: str) -> list[str]:
    """Polish in <main>: the services' words anywhere, Polish letters outside lang="pl"
    (what stays Polish on purpose — names, the transfer title, the office's data — is marked)."""
    main = BeautifulSoup(html, "html.parser").find("main")
    assert main is not None
    found = POLISH_WORDS.findall(" ".join(main.stripped_strings))
    for marked in main.select('[lang="pl"]'):
        marked.decompose()
    text = " ".join(main.stripped_strings).replace("zł", "")
    return found + POLISH_LETTERS.findall(text)


@pytest.fixture
async def system(start_service, issuer):
    billing_rt = await start_service(billing, sandbox_settlement_delay_s=60.0)
    modules = {
        "water": await start_service(water),
        "waste": await start_service(waste),
        "property_tax": await start_service(property_tax),
    }
    grpc = {n: f"127.0.0.1:{rt.grpc_server.port}" for n, rt in modules.items()}
    grpc["billing"] = f"127.0.0.1:{billing_rt.grpc_server.port}"
    gw = await start_service(
        gateway,
        grpc_services=",".join(f"{n}={a}" for n, a in grpc.items()),
        http_services=f"billing=http://127.0.0.1:{billing_rt.settings.http_port}/healthz",
        PORTAL_MODULES=",".join(f"{n}={grpc[n]}" for n in MODULES),
    )
    await water_demo(modules["water"])
    await waste_demo(modules["waste"].db, modules["waste"].outbox)
    await property_tax_demo(modules["property_tax"], [])

    token = issuer.token("acc-jan", roles=["resident"], payers=[DEMO_PAYER], ttl=3600)
    ch = channel(grpc["billing"])
    stub = billing_pb2_grpc.BillingServiceStub(ch)
    deadline = asyncio.get_running_loop().time() + 60
    while True:  # the demo charges reach billing through the outbox and NATS
        found = await call(
            stub.ListCharges, billing_pb2.ListChargesRequest(payer_id=DEMO_PAYER), token=token
        )
        if set(MODULES) <= {c.module for c in found.charges}:
            break
        assert asyncio.get_running_loop().time() < deadline, "demo charges did not reach billing"
        await asyncio.sleep(0.2)
    await ch.close()

    user = {"subject": "acc-jan", "name": "Jan Kowalski", "email": "jan@example.pl",
            "state": "verified", "access_token": token, "roles": ["resident"],
            "payers": [DEMO_PAYER]}  # fmt: skip
    web = httpx.AsyncClient(base_url=f"http://127.0.0.1:{gw.settings.http_port}", timeout=30)
    web.cookies.set("portal_session", session_cookie({"user": user, "csrf_token": "t"}))
    yield web
    await web.aclose()


async def water_pages(web: httpx.AsyncClient) -> list[str]:
    """The charts and the invoice lines of a reading, linked from Woda."""
    page = BeautifulSoup((await web.get("/woda")).text, "html.parser")
    hrefs = [a["href"] for a in page.select("main a[href]")]
    charts = [h for h in hrefs if h.startswith("/woda/wykresy")]
    readings = [h for h in hrefs if re.fullmatch(r"/woda/odczyt/[^/?]+", h)]
    assert charts and readings, "the demo premises has invoices"
    return [charts[0], readings[0]]


async def test_resident_pages_in_english_show_no_polish_service_text(system):
    web = system
    web.cookies.set("lang", "en")
    for path in PAGES + await water_pages(web):
        page = await web.get(path)
        assert page.status_code == 200, (path, page.text[:500])
        assert '<html lang="en"' in page.text
        assert polish_left(page.text) == [], path

    home = (await web.get("/")).text
    assert "Property tax" in home and "Municipal waste fee" in home
    assert "Reading by 30 November" in home

    missing = await web.get(f"/odpady/zmiana?platnik={DEMO_PAYER}&nieruchomosc=N-NONE")
    assert missing.status_code == 404 and "Property not found." in missing.text
    assert "<h1>" in missing.text  # the portal's error page, not a bare paragraph


async def test_the_same_pages_in_polish_keep_the_services_texts(system):
    web = system
    home = (await web.get("/?lang=pl")).text
    assert "Podatek od nieruchomości 2026" in home
    assert "Opłata za odpady komunalne — rata" in home
    assert 'lang="pl"' not in BeautifulSoup(home, "html.parser").find("main").decode()
