// What prevention is derived from: the pattern's solutions (with counts over its failures),
// root causes, the contexts it occurs in, the fixes that did not work, and the actions that raised it.
MATCH (p:FailurePattern {id: $pattern_id})
OPTIONAL MATCH (p)<-[:INSTANCE_OF]-(f:Memory:Failure)
OPTIONAL MATCH (f)-[r:RESOLVED_BY]->(s:Solution)
WITH p, f, s, r
WITH p,
     collect(DISTINCT f.root_cause) AS root_causes,
     collect(DISTINCT f.prevention_strategy) AS strategies,
     collect(DISTINCT f.context)[..5] AS contexts,
     collect(DISTINCT f.domain) AS domains,
     [x IN collect(DISTINCT f {.id, .failed_action}) WHERE x.failed_action IS NOT NULL | x.failed_action] AS causes,
     collect(CASE WHEN s IS NULL THEN null ELSE {description: s.description, worked: r.worked} END) AS uses
RETURN p {.id, .name, .signature, .occurrence_count, .recurring} AS pattern, root_causes, strategies, contexts,
       domains, uses, causes
