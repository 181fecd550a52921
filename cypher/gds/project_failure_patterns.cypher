CALL gds.graph.project($graph_name, {FailurePattern: {properties: 'embedding'}}, '*')
YIELD graphName, nodeCount
RETURN graphName, nodeCount
