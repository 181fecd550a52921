"""The ONNX Runtime back-end, exported locally from the packaged weights, gives the torch model's vectors."""

from __future__ import annotations

import numpy as np

from engram.config import Settings
from engram.embeddings import OnnxEmbedder, SentenceTransformerEmbedder, build_embedder
from tests.conftest import REPO

TEXTS = ["deploy failed during database migration 12 in production",
         "npm install timed out in CI",
         "a much longer context " * 80,  # past the model's 256 tokens: truncated the same way
         "ünïcode ✓ 日本語 text"]


def test_onnx_fp32_gives_the_torch_vectors(embedder: SentenceTransformerEmbedder) -> None:
    onnx = build_embedder(Settings(project_root=REPO, home=REPO / ".engram", embedding_backend="onnx"))
    assert isinstance(onnx, OnnxEmbedder) and onnx.info().backend == "onnx"
    got, want = np.array(onnx.embed(TEXTS)), np.array(embedder.embed(TEXTS))
    assert got.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(got * want, axis=1)) > 0.9999


def test_int8_is_close_but_its_own_model() -> None:
    fp32 = build_embedder(Settings(project_root=REPO, home=REPO / ".engram", embedding_backend="onnx"))
    int8 = build_embedder(Settings(project_root=REPO, home=REPO / ".engram", embedding_backend="onnx-int8"))
    cosines = np.sum(np.array(int8.embed(TEXTS)) * np.array(fp32.embed(TEXTS)), axis=1)
    assert np.all(cosines > 0.8) and np.any(cosines < 0.9999)
    assert int8.info().path.endswith("model_int8.onnx")


def test_a_recently_embedded_text_comes_back_with_the_same_vector() -> None:
    """The cache of recent texts keeps the model's float32 rows; what it returns equals a fresh embedding."""
    onnx = build_embedder(Settings(project_root=REPO, home=REPO / ".engram", embedding_backend="onnx"))
    first = onnx.embed(TEXTS[:2])
    again = onnx.embed([TEXTS[1], "not embedded before", TEXTS[0]])
    assert again[0] == first[1] and again[2] == first[0]
    assert all(isinstance(x, float) for x in again[0])
    assert onnx._encode([TEXTS[0]])[0].tolist() == first[0]  # the model itself, past the cache
