// Take the chain's write lock (writing a property locks the node until commit), then read the head:
// concurrent writers queue here, so each appends after the last committed event and the chain never forks.
MERGE (h:AuditHead {id: 'audit'})
  ON CREATE SET h.seq = 0, h.hash = $genesis
SET h._LOCK_ = true
REMOVE h._LOCK_
RETURN h.seq AS seq, h.hash AS hash, EXISTS { MATCH (:AuditEvent {id: $first_id}) } AS already_written
