"""Fixtures of the deployment tests: the installation model and the external tools."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[1]
ROOT = DEPLOY.parent
if str(DEPLOY) not in sys.path:
    sys.path.insert(0, str(DEPLOY))

from portal_deploy.model import Installation, load  # noqa: E402


@pytest.fixture(scope="session")
def inst() -> Installation:
    return load(ROOT)
