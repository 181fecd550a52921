// Memories past their retention policy, with the reason. The most specific policy governs a memory
// (agent + type > agent + '*' > '*' + type > '*' + '*'). Age counts from when the memory was last
// seen. max_count keeps the newest memories among those not already expired for age or confidence,
// counted per agent.
MATCH (p:RetentionPolicy)
WHERE $agent_id IS NULL OR p.agent_id IN [$agent_id, '*']
MATCH (m:Memory)
WHERE (p.agent_id = '*' OR m.agent_id = p.agent_id)
  AND (p.memory_type = '*' OR m.memory_type = p.memory_type)
  AND ($agent_id IS NULL OR m.agent_id = $agent_id)
  AND NOT EXISTS {
    MATCH (q:RetentionPolicy)
    WHERE q.agent_id IN [m.agent_id, '*'] AND q.memory_type IN [m.memory_type, '*']
      AND (CASE WHEN q.agent_id = '*' THEN 0 ELSE 2 END) + (CASE WHEN q.memory_type = '*' THEN 0 ELSE 1 END)
        > (CASE WHEN p.agent_id = '*' THEN 0 ELSE 2 END) + (CASE WHEN p.memory_type = '*' THEN 0 ELSE 1 END)
  }
WITH p, m, coalesce(m.last_seen, m.created_at) AS seen
WITH p, m, seen, CASE
    WHEN p.max_age_days IS NOT NULL AND seen < datetime() - duration({seconds: toInteger(p.max_age_days * 86400)})
      THEN 'max_age'
    WHEN p.min_confidence IS NOT NULL AND coalesce(m.confidence_score, 0.0) < p.min_confidence
      THEN 'min_confidence'
  END AS reason
ORDER BY seen DESC, m.id
WITH p, m.agent_id AS agent, collect({m: m, reason: reason}) AS rows
WITH p, [r IN rows WHERE r.reason IS NOT NULL] AS expired, [r IN rows WHERE r.reason IS NULL] AS alive
WITH p, expired + [i IN range(0, size(alive) - 1) WHERE p.max_count IS NOT NULL AND i >= p.max_count
                   | {m: alive[i].m, reason: 'max_count'}] AS doomed
UNWIND doomed AS d
RETURN d.m.id AS id, d.m.agent_id AS agent_id, d.m.memory_type AS memory_type, d.reason AS reason, p.id AS policy_id
ORDER BY agent_id, id
