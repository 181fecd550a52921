// Which actions agents chose for which kind of situation, and how they turned out.
MATCH (a:Agent)-[:REMEMBERS]->(m:Memory:Decision)-[:CHOSE]->(act:Action)
RETURN act.name AS action, m.domain AS domain,
       count(m) AS attempts,
       sum(CASE m.outcome WHEN 'success' THEN 1 ELSE 0 END) AS successes,
       collect(DISTINCT a.id) AS agents
ORDER BY domain, attempts DESC
