"""Where a client finds the service and its API key: one rule for the Python client, the CLI and `engram mcp`."""

from __future__ import annotations

import os
from pathlib import Path

from engram.errors import UnauthenticatedError

_WILDCARD_HOSTS = ("0.0.0.0", "::")


def default_key_file() -> Path:
    """The key file used when no other is named: $XDG_CONFIG_HOME/engram/api-key (~/.config/engram/api-key),
    as `engram agent create NAME --save` can write it."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "engram" / "api-key"


def find_api_key(key_file: Path | None = None) -> str | None:
    """ENGRAM_API_KEY, else the key file: `key_file` (--api-key-file), ENGRAM_API_KEY_FILE, or default_key_file().
    A named file that is missing or unreadable is an error, never a quiet run without a key; the default may be
    absent (None: no key)."""
    key = os.environ.get("ENGRAM_API_KEY", "").strip()
    if key:
        return key
    named = key_file or (Path(os.environ["ENGRAM_API_KEY_FILE"]) if os.environ.get("ENGRAM_API_KEY_FILE") else None)
    path = (named or default_key_file()).expanduser()
    if not path.is_file():
        if named is not None:
            raise UnauthenticatedError(f"API key file {path} does not exist.")
        return None
    try:
        return path.read_text().strip() or None
    except OSError as exc:
        raise UnauthenticatedError(f"Cannot read API key file {path}: {exc.strerror}.") from None


def service_url(url: str | None = None) -> str:
    """`url` (--url), else ENGRAM_URL, else where `engram serve` listens by default: ENGRAM_API_HOST (a wildcard
    bind address meaning this machine) and ENGRAM_API_PORT, i.e. http://127.0.0.1:8000."""
    explicit = url or os.environ.get("ENGRAM_URL")
    if explicit:
        return explicit.rstrip("/")
    host = os.environ.get("ENGRAM_API_HOST", "127.0.0.1")
    host = "127.0.0.1" if host in _WILDCARD_HOSTS else host
    return f"http://{host}:{os.environ.get('ENGRAM_API_PORT', '8000')}"
