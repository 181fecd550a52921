MATCH (p:FailurePattern)
WHERE p.embedding IS NOT NULL
WITH gds.graph.project($graph_name, p, null, {sourceNodeProperties: p {.embedding}, targetNodeProperties: null}) AS g
RETURN g.graphName AS graphName, g.nodeCount AS nodeCount
