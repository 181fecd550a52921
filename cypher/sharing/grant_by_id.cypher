MATCH (g:ShareGrant {id: $id})
RETURN g {.*} AS grant
