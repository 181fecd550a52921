// Fold duplicate patterns into the one kept: failures, checks and the affected agents move over.
UNWIND $merges AS item
MATCH (keep:FailurePattern {id: item.keep})
UNWIND item.duplicates AS duplicate_id
MATCH (dup:FailurePattern {id: duplicate_id})
WHERE dup <> keep
CALL (keep, dup) {
  MATCH (f:Memory)-[old:INSTANCE_OF]->(dup)
  MERGE (f)-[:INSTANCE_OF]->(keep)
  DELETE old
}
CALL (keep, dup) {
  MATCH (dup)-[:PREVENTED_BY]->(c:PreventionCheck)
  MERGE (keep)-[:PREVENTED_BY]->(c)
}
SET keep.merged_ids = coalesce(keep.merged_ids, []) + [dup.id],
    keep.merged_signatures = coalesce(keep.merged_signatures, []) + [s IN [dup.signature] WHERE s IS NOT NULL]
WITH dup, dup.id AS dropped
DETACH DELETE dup
RETURN dropped
