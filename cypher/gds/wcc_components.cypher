CALL gds.wcc.stream($graph_name, {relationshipTypes: ['SIMILAR']})
YIELD nodeId, componentId
RETURN gds.util.asNode(nodeId).id AS id, componentId
