MATCH (r:ShareRequest {id: $id})
RETURN r {.*} AS request
