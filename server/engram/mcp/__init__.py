"""Engram as an MCP server: tools and resources for LLM agents, each one a GraphQL operation of
graphql/operations run with the caller's API key, so isolation, consent, redaction, limits and audit are
exactly those of the GraphQL API. Streamable HTTP at /mcp in the service; stdio through `engram mcp`."""
