// Share requests to $agent_id, newest first: one page ($offset, $limit), never the whole list.
MATCH (r:ShareRequest {owner_id: $agent_id})
WHERE $status IS NULL OR r.status = $status
RETURN r {.*} AS request
ORDER BY r.created_at DESC, r.id
SKIP $offset
LIMIT $limit
