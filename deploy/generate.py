"""Writes the generated deployment files; `--check` fails when any of them is out of date."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
sys.path.insert(0, str(DEPLOY))

from portal_deploy.files import generated_files  # noqa: E402
from portal_deploy.model import load  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report files that differ")
    ns = parser.parse_args(argv)
    inst = load(DEPLOY.parent)
    stale = []
    for path, text in generated_files(inst).items():
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path.relative_to(inst.root))
        if not ns.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for rel in stale:
        print(("out of date: " if ns.check else "wrote ") + str(rel))
    return 1 if ns.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
