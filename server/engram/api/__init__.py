"""The HTTP service: Starlette app with the Strawberry GraphQL API at /graphql and /health."""
