// Fold each duplicate into its survivor (all $agent_id's: ids are per agent): counts add up, the time range widens, every
// relationship moves over, and the duplicate's id and context stay on record.
UNWIND $merges AS item
MATCH (keep:Memory {agent_id: $agent_id, id: item.keep})
UNWIND item.duplicates AS duplicate_id
MATCH (dup:Memory {agent_id: $agent_id, id: duplicate_id})
SET keep.occurrences = coalesce(keep.occurrences, 1) + coalesce(dup.occurrences, 1),
    keep.access_count = coalesce(keep.access_count, 0) + coalesce(dup.access_count, 0),
    keep.first_seen = CASE WHEN dup.first_seen < keep.first_seen THEN dup.first_seen ELSE keep.first_seen END,
    keep.last_seen = CASE WHEN dup.last_seen > keep.last_seen THEN dup.last_seen ELSE keep.last_seen END,
    keep.confidence_score = CASE WHEN dup.confidence_score > keep.confidence_score THEN dup.confidence_score ELSE keep.confidence_score END,
    keep.merged_ids = coalesce(keep.merged_ids, []) + [dup.id] + coalesce(dup.merged_ids, []),
    keep.merged_contexts = CASE WHEN dup.context IN coalesce(keep.merged_contexts, []) + [keep.context]
                                THEN coalesce(keep.merged_contexts, [])
                                ELSE coalesce(keep.merged_contexts, []) + [dup.context] END,
    keep.tags = reduce(acc = coalesce(keep.tags, []), t IN coalesce(dup.tags, []) | CASE WHEN t IN acc THEN acc ELSE acc + t END)
WITH keep, dup
CALL (keep, dup) {
  MATCH (dup)-[r]->(x) WHERE x <> keep
  MERGE (keep)-[nr:$(type(r))]->(x) SET nr += properties(r)
}
CALL (keep, dup) {
  MATCH (x)-[r]->(dup) WHERE x <> keep
  MERGE (x)-[nr:$(type(r))]->(keep) SET nr += properties(r)
}
WITH keep, dup, dup.id AS dropped
DETACH DELETE dup
RETURN keep.id AS kept, dropped
