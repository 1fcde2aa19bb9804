"""Copy the Open Referral UK OpenAPI document and the UK profile's patch into
data/openreferral/, where the feed reads them (`analysis.store.feed`, docs/feed.md).

``python scripts/copy_openreferral.py [--source DIR] [--out DIR]``. The source is the
profile as ``../shared/data/openreferral/uk-v3/`` holds it (from OpenReferralUK/uk-profile,
CC BY-SA 4.0: data/openreferral/README.md says so beside the copies). The files are copied
byte for byte, so that a served document can be traced to its source;
``tests/test_copy_openreferral.py`` checks the copies are current.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Final

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
SOURCE: Final = REPO_ROOT.parent / "shared" / "data" / "openreferral" / "uk-v3"
OUT: Final = REPO_ROOT / "data" / "openreferral"
COPIES: Final = {
    Path("schema/openapi.json"): "openapi.json",
    Path("profile/openapi.json"): "profile_openapi.json",
}
"""Source file (under the profile's folder) -> its name in data/openreferral/."""


def copy_documents(source: Path = SOURCE, out: Path = OUT) -> list[Path]:
    """Copy each of `COPIES` from ``source`` to ``out``; the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for relative, name in COPIES.items():
        original = source / relative
        if not original.is_file():
            raise SystemExit(
                f"{original} is missing. Fix: pass --source with the folder of the Open "
                "Referral UK profile (it holds schema/ and profile/)"
            )
        shutil.copyfile(original, out / name)
        written.append(out / name)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    for path in copy_documents(args.source, args.out):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
