"""Logs carry the traceback of an error: a JSON field in production, plain text locally."""

from __future__ import annotations

import json
import logging

import pytest

from portal_platform.logging import configure_logging, get_logger


@pytest.fixture(autouse=True)
def _restore_logging():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def _fail(log_json: bool) -> None:
    configure_logging("billing", json=log_json)
    try:
        {}["missing"]
    except KeyError:
        get_logger("test").warning("handler failed", exc_info=True)
        logging.getLogger("library").exception("library failed")


def test_json_logs_keep_the_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    _fail(True)
    lines = [json.loads(x) for x in capsys.readouterr().err.splitlines()]
    assert [x["event"] for x in lines] == ["handler failed", "library failed"]
    for line in lines:
        assert "KeyError: 'missing'" in line["exception"] and "exc_info" not in line
        assert line["service"] == "billing"


def test_console_logs_show_a_plain_traceback_without_locals(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _fail(False)
    err = capsys.readouterr().err
    assert err.count("Traceback (most recent call last):") == 2
    assert "KeyError: 'missing'" in err and "locals" not in err.lower()
