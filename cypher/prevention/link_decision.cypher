// The agent's decision acted on the agent's own showing $token — never another agent's (both are matched
// on $agent_id), and a decision acts on one showing only. $followed_checks: the checks it says it applied.
// Linked once: a retry changes nothing.
MATCH (s:CheckShowing {id: $token, agent_id: $agent_id})
MATCH (d:Memory:Decision {id: $memory_id, agent_id: $agent_id})
WHERE NOT EXISTS { (d)-[:ACTED_ON]->(other:CheckShowing) WHERE other <> s }
MERGE (d)-[a:ACTED_ON]->(s)
  ON CREATE SET a.followed = $followed_checks
RETURN s.id AS token
