// Whether an agent of this name exists (made by `engram agent create`, or known from its memories).
// Share requests and grants name only such agents: naming one must not create it.
OPTIONAL MATCH (a:Agent {id: $agent_id})
RETURN a IS NOT NULL AS known
