"""The PDF font: Source Sans Pro (SIL OFL), trimmed once to Latin with Polish letters.

fpdf2 subsets the embedded font on every document; starting from a small font keeps a
decision under a few tens of milliseconds when a whole year's decisions are issued.
"""

from __future__ import annotations

import logging
import tempfile
from functools import cache
from pathlib import Path

import font_source_sans_pro
from fontTools import subset

FILES = Path(font_source_sans_pro.__file__).parent / "files"
STYLES = {"": "SourceSansPro-Regular.ttf", "B": "SourceSansPro-Bold.ttf"}
UNICODES = [*range(0x20, 0x17F), 0xA0, 0xB2, 0xD7, 0x2013, 0x2014, 0x201D, 0x201E, 0x2026]

logging.getLogger("fontTools").setLevel(logging.WARNING)


def _trim(source: Path, target: Path) -> Path:
    opts = subset.Options()
    opts.layout_features = []
    opts.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "DSIG"]
    opts.hinting = False
    opts.notdef_outline = True
    opts.name_IDs = ["*"]
    font = subset.load_font(str(source), opts)
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=UNICODES)
    sub.subset(font)
    tmp = target.with_suffix(f".{id(font)}.tmp")
    subset.save_font(font, str(tmp), opts)
    tmp.replace(target)
    return target


@cache
def font_files() -> dict[str, str]:
    """style → path of the trimmed TTF (the original file when no temp dir is writable)."""
    out = {}
    folder = Path(tempfile.gettempdir()) / "portal-property-tax-fonts-1"
    for style, name in STYLES.items():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / name
            out[style] = str(target if target.exists() else _trim(FILES / name, target))
        except OSError:
            out[style] = str(FILES / name)
    return out
