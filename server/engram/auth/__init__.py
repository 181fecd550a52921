"""Agent identity for the API: API keys (stored only as hashes) and the caller they resolve to."""
