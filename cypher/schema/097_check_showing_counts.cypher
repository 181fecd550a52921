// Migration: each agent's count of showings of each prevention check (SAW_CHECK.showings), from the
// showings stored before the count existed. Pairs that have a count already are left alone.
MATCH (s:CheckShowing)-[:SHOWED]->(t:CheckTrack)
WITH s.agent_id AS agent_id, t, count(DISTINCT s) AS showings
MATCH (a:Agent {id: agent_id})
MERGE (a)-[c:SAW_CHECK]->(t)
  ON CREATE SET c.showings = showings
