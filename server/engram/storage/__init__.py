"""The only package that talks to Neo4j: driver, query catalog, schema and repositories."""
