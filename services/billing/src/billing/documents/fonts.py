"""The PDF font: Source Sans Pro from the font-source-sans-pro package (SIL OFL), trimmed once.

The full fonts are subset at first use to Latin with Polish letters and without layout
tables, so that every PDF embeds a small font quickly.
"""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

import font_source_sans_pro
from fontTools import subset

FILES = Path(font_source_sans_pro.__file__).parent / "files"
STYLES = {"": "SourceSansPro-Regular.ttf"}
UNICODES = [*range(0x20, 0x17F), 0xA0, 0x2013, 0x2014, 0x2019, 0x201D, 0x201E, 0x2026, 0x2116]


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
    tmp = target.with_suffix(".tmp")
    subset.save_font(font, str(tmp), opts)
    tmp.replace(target)
    return target


@cache
def font_files() -> dict[str, str]:
    """style → path of the trimmed TTF (the original file if no temp dir is writable)."""
    out = {}
    folder = Path(tempfile.gettempdir()) / "portal-billing-fonts-1"
    for style, name in STYLES.items():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / name
            out[style] = str(target if target.exists() else _trim(FILES / name, target))
        except OSError:
            out[style] = str(FILES / name)
    return out


LICENSE = FILES / "LICENSE.txt"
