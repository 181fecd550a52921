// One policy per (agent or '*', memory type or '*'). Setting it again replaces its limits.
MERGE (p:RetentionPolicy {id: $id})
  ON CREATE SET p.created_at = datetime()
SET p.agent_id = $agent_id, p.memory_type = $memory_type, p.max_age_days = $max_age_days,
    p.max_count = $max_count, p.min_confidence = $min_confidence, p.updated_at = datetime()
RETURN p {.*} AS policy
