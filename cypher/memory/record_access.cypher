// Access tracking, batched off the read path.
UNWIND $hits AS hit
MATCH (m:Memory {agent_id: hit.agent_id, id: hit.id})
SET m.access_count = coalesce(m.access_count, 0) + hit.count,
    m.last_accessed = datetime(hit.at)
