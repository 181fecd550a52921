"""Sensitive-context filter: removes secret values and PII from text before it leaves the agent.

Only the secret *value* is replaced (``password=[REDACTED:password]``) so the remembered text
keeps its meaning. Provider token formats come from detect-secrets' regex plugins
(detect_secrets_adapter) plus our own rule table (rules); generic ``key = value`` assignments and
other context-dependent shapes are judged by procedural detectors (detectors) using key names and
value shape (values: entropy, placeholders, code references), so ordinary engineering text is left
alone. The engine runs whatever a text triggers and merges the spans.
"""

from engram.privacy.redaction.engine import Redactor
from engram.privacy.redaction.rules import decodes_to_credentials
from engram.privacy.redaction.types import MARKER, Finding, RedactionPolicy, RedactionResult
from engram.privacy.redaction.values import is_pathlike, is_placeholder, looks_secret

__all__ = [
    "MARKER", "Finding", "RedactionPolicy", "RedactionResult", "Redactor", "decodes_to_credentials",
    "is_pathlike", "is_placeholder", "looks_secret",
]
