"""all-MiniLM-L6-v2 on ONNX Runtime (fp32 or dynamically quantized int8): tokenizer, transformer, mean
pooling and normalisation as sentence-transformers does them, without importing torch at run time."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from engram.embedding.onnx_export import TOKENIZER, exported_model

MAX_SEQ_LENGTH = 256  # the model's sentence_bert_config.json


class OnnxEncoder:
    """Encodes texts to unit vectors; loads (and on first use exports) the model lazily, once."""

    def __init__(self, source: Path, cache_dir: Path, *, quantized: bool, batch_size: int = 64,
                 threads: int | None = None) -> None:
        self.source = source
        self.cache_dir = cache_dir
        self.quantized = quantized
        self.batch_size = batch_size
        self.threads = threads
        self._session = None
        self._tokenizer = None
        self._lock = threading.Lock()

    @property
    def path(self) -> Path:
        return exported_model(self.source, self.cache_dir, quantized=self.quantized)

    def load(self) -> None:
        if self._session is not None:
            return
        with self._lock:
            if self._session is not None:
                return
            import onnxruntime
            from tokenizers import Tokenizer

            model = self.path
            options = onnxruntime.SessionOptions()
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
            options.intra_op_num_threads = self.threads or (os.cpu_count() or 1)
            options.inter_op_num_threads = 1
            # No busy-waiting for the next batch: by default the pool spins after each run, which cost ~22 ms
            # of CPU per single-text embedding here — CPU that Neo4j and the other requests need.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            tokenizer = Tokenizer.from_file(str(self.cache_dir / TOKENIZER))
            tokenizer.enable_truncation(max_length=MAX_SEQ_LENGTH)
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the longest text of each batch
            self._tokenizer = tokenizer
            self._session = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.load()
        out = np.empty((len(texts), 0), dtype=np.float32)
        # Like sentence-transformers: batches of similar length, so little of each batch is padding.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            chosen = order[start:start + self.batch_size]
            vectors = self._encode_batch([texts[i] for i in chosen])
            if out.shape[1] == 0:
                out = np.empty((len(texts), vectors.shape[1]), dtype=np.float32)
            out[chosen] = vectors
        return out

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
