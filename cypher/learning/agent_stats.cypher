// One agent's learning statistics: what it remembers, how its decisions went, how often memory informed them.
MATCH (a:Agent {id: $agent_id})
OPTIONAL MATCH (a)-[:REMEMBERS]->(m:Memory)
WITH a, count(m) AS memories, collect(m.memory_type) AS kinds
OPTIONAL MATCH (a)-[:REMEMBERS]->(d:Memory:Decision)
WITH a, memories, kinds, d,
     d.created_at >= datetime() - duration({days: $window_days}) AS recent,
     EXISTS { (d)-[:INFORMED_BY]->() } AS informed
RETURN memories, kinds,
       count(d) AS decisions,
       sum(coalesce(d.success_rate, 0.0)) AS decision_successes,
       sum(CASE WHEN informed THEN 1 ELSE 0 END) AS informed_decisions,
       sum(CASE WHEN recent THEN 1 ELSE 0 END) AS recent_decisions,
       sum(CASE WHEN recent THEN coalesce(d.success_rate, 0.0) ELSE 0.0 END) AS recent_successes,
       sum(CASE WHEN NOT recent THEN 1 ELSE 0 END) AS earlier_decisions,
       sum(CASE WHEN NOT recent THEN coalesce(d.success_rate, 0.0) ELSE 0.0 END) AS earlier_successes
