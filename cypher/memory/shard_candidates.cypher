// One round of retrieval's candidate search, shard by shard: each memory shard has its own vector index and
// holds the memories of a fixed set of owners (engram.storage.shards). Searched are the shards in $probes
// ({shard, fetch}), or, for $probes null, those holding what $agent_id may see (its own and its live
// grantors' memories, every shard for $agent_id null: operator access), each asked for its $fetch nearest.
// Per shard: how many the index returned (fewer than asked: the shard holds no more), the lowest index score
// among them, how many $agent_id may see, and the best $keep of those by exact cosine (the index scores its
// quantized vectors), on the same (1 + cos) / 2 scale, each with what ranking needs (last seen in epoch ms,
// confidence, success rate). Hits below $floor (same scale) are not returned: ranking drops them. With
// $lucene_query (the first round), the same statement also returns the keyword (fulltext) matches $agent_id
// may see at or above $floor, of the first $text_fetch, each with its exact similarity (0 without an
// embedding), and the best keyword score among all the visible ones, which ranking divides by: one round trip
// for both candidate sets. Always one row: the shards' results, the keyword matches and that best score.
CALL () {
  OPTIONAL MATCH (g:ShareGrant {grantee_id: $agent_id})
  WHERE g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > datetime())
  RETURN collect(g {.owner_id, .scope, .value, .memory_ids}) AS grants
}
CALL (grants) {
  WITH grants WHERE $lucene_query IS NOT NULL
  CALL db.index.fulltext.queryNodes('memory_text', $lucene_query, {limit: $text_fetch}) YIELD node AS m, score
  // Owner and id are read once: a memory deleted while this runs (retention) reads as nulls from then on.
  WITH m, score, m.agent_id AS owner, m.id AS id
  WHERE owner IS NOT NULL AND id IS NOT NULL AND (
        $agent_id IS NULL OR owner = $agent_id OR any(g IN grants WHERE g.owner_id = owner AND (
            (g.scope = 'memory' AND id IN g.memory_ids)
         OR (g.scope = 'domain' AND m.domain = g.value)
         OR (g.scope = 'tag' AND g.value IN m.tags)
         OR (g.scope = 'pattern' AND id IN g.memory_ids))))
  WITH m, score, owner, id, coalesce(vector.similarity.cosine(m.context_embedding, $embedding), 0.0) AS similarity
  RETURN max(score) AS best_keyword,
         collect(CASE WHEN similarity >= $floor THEN {agent_id: owner, id: id, score: score, similarity: similarity,
                      seen_ms: coalesce(m.last_seen, m.created_at).epochMillis,
                      confidence_score: m.confidence_score, success_rate: m.success_rate} END) AS keyword
}
CALL (grants) {
  CALL (grants) {
    WITH grants WHERE $probes IS NOT NULL
    UNWIND $probes AS probe
    RETURN probe.shard AS shard, probe.fetch AS fetch
    UNION
    WITH grants WHERE $probes IS NULL AND $agent_id IS NULL
    UNWIND range(0, size($shard_indexes) - 1) AS shard
    RETURN shard, $fetch AS fetch
    UNION
    WITH grants WHERE $probes IS NULL AND $agent_id IS NOT NULL
    UNWIND [$agent_id] + [g IN grants | g.owner_id] AS owner
    CALL (owner) {
      MATCH (m:Memory {agent_id: owner})
      WITH m LIMIT 1
      RETURN [i IN range(0, size($shard_labels) - 1) WHERE $shard_labels[i] IN labels(m)][0] AS shard
    }
    WITH shard WHERE shard IS NOT NULL
    RETURN shard, $fetch AS fetch
  }
  CALL (shard, fetch, grants) {
    CALL db.index.vector.queryNodes($shard_indexes[shard], fetch, $embedding) YIELD node AS m, score
    // Owner and id are read once: a memory deleted while this runs (retention) reads as nulls from then on,
    // and is then no hit rather than a hit with a missing owner or id.
    WITH m, score, m.agent_id AS owner, m.id AS id
    WITH m, score, owner, id, owner IS NOT NULL AND id IS NOT NULL AND (
           $agent_id IS NULL OR owner = $agent_id OR any(g IN grants WHERE g.owner_id = owner AND (
              (g.scope = 'memory' AND id IN g.memory_ids)
           OR (g.scope = 'domain' AND m.domain = g.value)
           OR (g.scope = 'tag' AND g.value IN m.tags)
           OR (g.scope = 'pattern' AND id IN g.memory_ids)))) AS visible
    WITH m, score, owner, id,
         CASE WHEN visible THEN vector.similarity.cosine(m.context_embedding, $embedding) END AS exact
    ORDER BY coalesce(exact, -1.0) DESC
    RETURN count(m) AS fetched, min(score) AS lowest, count(exact) AS visible,
           collect(CASE WHEN exact >= $floor THEN {agent_id: owner, id: id, score: exact,
                        seen_ms: coalesce(m.last_seen, m.created_at).epochMillis,
                        confidence_score: m.confidence_score, success_rate: m.success_rate} END)[0..$keep] AS hits
  }
  // Collected inside the subquery: no shard to search still gives one row, with the keyword matches.
  RETURN collect({shard: shard, fetch: fetch, fetched: fetched, lowest: lowest, visible: visible,
                  hits: hits}) AS shards
}
RETURN shards, keyword, best_keyword
