"""Layout, templates and static files shared by the gateway's features."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader

from gateway.features import template_dirs

WEB_DIR = Path(__file__).parent
STATIC_DIR = WEB_DIR / "static"


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
    templates.env.loader = ChoiceLoader(
        [
            FileSystemLoader(str(WEB_DIR / "templates")),
            *(FileSystemLoader(str(d)) for d in template_dirs()),
        ]
    )
    return templates
