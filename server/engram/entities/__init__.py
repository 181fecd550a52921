"""Domain types as plain dataclasses: no IO here."""
