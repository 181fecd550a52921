// Cypher projection for GDS's Python client (gds.graph.project.cypher): only decision and success
// memories that have a context embedding.
MATCH (m:Memory)
WHERE (m:Decision OR m:Success) AND m.context_embedding IS NOT NULL
RETURN gds.graph.project($graph_name, m, null, {sourceNodeProperties: m {.context_embedding}, targetNodeProperties: null})
