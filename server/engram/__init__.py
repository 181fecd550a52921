"""Engram Memory: a graph-database memory and learning service for LLM agents."""

__version__ = "0.1.0"
