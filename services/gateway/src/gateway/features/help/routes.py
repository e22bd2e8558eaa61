"""Routes of Pomoc: the table of contents, a chapter, and the manual's screenshots."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from gateway.features.help.manual import IMAGES_DIR, chapter, chapters
from gateway.web.i18n import language

router = APIRouter()


def render(request: Request, name: str, ctx: dict[str, object]) -> Response:
    return request.app.state.templates.TemplateResponse(  # type: ignore[no-any-return]
        request, f"help/{name}", ctx
    )


@router.get("/pomoc", response_class=HTMLResponse)
async def contents(request: Request) -> Response:
    return render(request, "index.html", {"chapters": chapters(language())})


@router.get("/pomoc/obrazy/{name}", include_in_schema=False)
async def image(name: str) -> Response:
    path = IMAGES_DIR / name
    if path.suffix != ".png" or path.parent != IMAGES_DIR or not path.is_file():
        raise HTTPException(status_code=404)
    return FileResponse(
        path, media_type="image/png", headers={"Cache-Control": "public, max-age=86400"}
    )


@router.get("/pomoc/{slug}", response_class=HTMLResponse)
async def read(request: Request, slug: str) -> Response:
    all_ = chapters(language())
    found = chapter(language(), slug)
    if found is None:
        raise HTTPException(status_code=404)
    i = all_.index(found)
    return render(
        request,
        "chapter.html",
        {
            "chapter": found,
            "previous": all_[i - 1] if i > 0 else None,
            "next": all_[i + 1] if i + 1 < len(all_) else None,
        },
    )
