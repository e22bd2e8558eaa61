"""Fixtures of identity's tests."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest_asyncio

from portal_platform.service import Runtime

sys.path.insert(0, str(Path(__file__).parent))

from identity_test_helpers import base_url, start_identity


@pytest_asyncio.fixture
async def identity(make_database, nats_url) -> AsyncIterator[Runtime]:
    rt = await start_identity(make_database, nats_url)
    yield rt
    await rt.close()


@pytest_asyncio.fixture
async def browser(identity: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base_url(identity), timeout=20) as client:
        yield client
