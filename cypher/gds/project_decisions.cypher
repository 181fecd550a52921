// Cypher projection: only decision and success memories that exist (a native projection fails
// when one of its labels has no node yet).
MATCH (m:Memory)
WHERE (m:Decision OR m:Success) AND m.context_embedding IS NOT NULL
WITH gds.graph.project($graph_name, m, null, {sourceNodeProperties: m {.context_embedding}, targetNodeProperties: null}) AS g
RETURN g.graphName AS graphName, g.nodeCount AS nodeCount
