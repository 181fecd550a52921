"""Embedding back-ends beyond the torch one in engram.embeddings: ONNX Runtime (fp32 and int8), and the
micro-batching queue that encodes concurrent requests in one model call."""
