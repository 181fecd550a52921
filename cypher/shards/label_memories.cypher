// Migration: every memory gets its owner's shard label ($label_of: agent id → label) and loses any other
// shard label ($stale: every label of the old and the new shard count). Safe to repeat: only memories
// that need it are written, in transactions of 10,000.
MATCH (m:Memory)
WITH m, $label_of[m.agent_id] AS label
WHERE label IS NOT NULL AND (NOT label IN labels(m) OR any(l IN labels(m) WHERE l IN $stale AND l <> label))
CALL (m, label) {
  REMOVE m:$([l IN $stale WHERE l <> label])
  SET m:$(label)
} IN TRANSACTIONS OF 10000 ROWS
