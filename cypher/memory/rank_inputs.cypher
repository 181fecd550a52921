// What ranking needs of each {agent_id, id, score} ref, without reading the memory itself: its exact similarity
// to $embedding on the index's (1 + cos) / 2 scale (the ref's score when the vector stage computed it already),
// when it was last seen (epoch milliseconds), its confidence and its success rate. Retrieval ranks on these
// and hydrates only the k it returns. A memory deleted while this runs reads as nulls (ranked last, and hydration
// then leaves it out), under the ref's own owner and id.
UNWIND $refs AS ref
MATCH (m:Memory {agent_id: ref.agent_id, id: ref.id})
RETURN ref.agent_id AS agent_id, ref.id AS id,
       coalesce(ref.score, vector.similarity.cosine(m.context_embedding, $embedding)) AS similarity,
       coalesce(m.last_seen, m.created_at).epochMillis AS seen_ms,
       m.confidence_score AS confidence_score, m.success_rate AS success_rate
