"""Refreshes the playground's pinned browser assets from the npm registry: `python -m engram.api.playground.vendor`.

The files are committed under static/ (the service and a clean clone then need no network); this script is
only for bumping a version. Fonts that the GraphiQL stylesheet inlines as data: URIs are written out as
files, so the page's Content-Security-Policy can stay 'self' only. MANIFEST.json records every file's
sha256; tests/unit/test_playground_assets.py fails when a file and the manifest disagree."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import tarfile
import tempfile
from pathlib import Path

STATIC = Path(__file__).with_name("static")

# package@version -> {file inside the package: file under static/}
PACKAGES: dict[str, dict[str, str]] = {
    "react@18.3.1": {"umd/react.production.min.js": "react.production.min.js", "LICENSE": "LICENSE.react"},
    "react-dom@18.3.1": {"umd/react-dom.production.min.js": "react-dom.production.min.js",
                         "LICENSE": "LICENSE.react-dom"},
    "graphiql@3.8.3": {"graphiql.min.js": "graphiql.min.js", "graphiql.min.css": "graphiql.min.css",
                       "LICENSE": "LICENSE.graphiql"},
    "@graphiql/plugin-explorer@3.2.5": {"dist/index.umd.js": "plugin-explorer.umd.js",
                                        "dist/style.css": "plugin-explorer.css"},
}
OWN_FILES = {"MANIFEST.json", "playground.js", "playground.css"}
DATA_FONT = re.compile(r"url\(data:font/(woff2?);base64,([A-Za-z0-9+/=]+)\)")
SOURCE_MAP = re.compile(r"\n?/[/*]# sourceMappingURL=\S+?(\s*\*/)?\s*$")


def _pack(spec: str, into: Path) -> Path:
    out = subprocess.run(["npm", "pack", spec, "--json", "--pack-destination", str(into)],
                         check=True, capture_output=True, text=True).stdout
    return into / json.loads(out)[0]["filename"]


def _externalise_fonts(css: str) -> tuple[str, dict[str, bytes]]:
    fonts: dict[str, bytes] = {}

    def write(match: re.Match[str]) -> str:
        data = base64.b64decode(match.group(2))
        name = f"fonts/{hashlib.sha256(data).hexdigest()[:16]}.{match.group(1)}"
        fonts[name] = data
        return f"url({name})"

    return DATA_FONT.sub(write, css), fonts


def _write(files: dict[str, bytes]) -> None:
    for name, data in files.items():
        (STATIC / name).parent.mkdir(parents=True, exist_ok=True)
        (STATIC / name).write_bytes(data)


def manifest_of(directory: Path) -> dict[str, str]:
    """sha256 of every vendored file under `directory` (not the manifest, not Engram's own playground.*)."""
    return {p.relative_to(directory).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file() and p.name not in OWN_FILES}


def main() -> None:
    files: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for spec, wanted in PACKAGES.items():
            with tarfile.open(_pack(spec, Path(tmp))) as tar:
                for inner, target in wanted.items():
                    member = tar.extractfile(f"package/{inner}")
                    assert member is not None, f"{spec} has no {inner}"
                    data = member.read()
                    if target.endswith((".js", ".css")):  # their .map files are not shipped
                        data = SOURCE_MAP.sub("\n", data.decode()).encode()
                    files[target] = data
    css, fonts = _externalise_fonts(files["graphiql.min.css"].decode())
    files["graphiql.min.css"] = css.encode()
    files.update(fonts)
    for old in STATIC.rglob("*"):
        if old.is_file() and old.name not in OWN_FILES:
            old.unlink()
    _write(files)
    manifest = {"packages": list(PACKAGES), "files": manifest_of(STATIC)}
    (STATIC / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"{len(manifest['files'])} files in {STATIC}")


if __name__ == "__main__":
    main()
