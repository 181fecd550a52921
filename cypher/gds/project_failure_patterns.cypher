// Cypher projection for GDS's Python client (gds.graph.project.cypher): one RETURN of gds.graph.project.
MATCH (p:FailurePattern)
WHERE p.embedding IS NOT NULL
RETURN gds.graph.project($graph_name, p, null, {sourceNodeProperties: p {.embedding}, targetNodeProperties: null})
