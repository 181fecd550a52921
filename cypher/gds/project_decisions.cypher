CALL gds.graph.project($graph_name, {
  Decision: {properties: 'context_embedding'},
  Success: {properties: 'context_embedding'}
}, '*')
YIELD graphName, nodeCount
RETURN graphName, nodeCount
