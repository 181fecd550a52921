// Batch lookup for the API's DataLoader: one round trip for every agent a response mentions.
UNWIND $ids AS id
MATCH (a:Agent {id: id})
RETURN a {.id, .name, .created_at, .operator} AS agent
