"""Strawberry schema (deliberately not a package named `graphql`, which would shadow graphql-core)."""
