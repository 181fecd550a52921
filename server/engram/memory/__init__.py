"""Agent memories: the store path, context-aware retrieval, access tracking and consolidation."""
