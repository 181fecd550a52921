// Keyword matches on context and memory text (Lucene), restricted like the vector stage, with what ranking
// needs of each: exact similarity to $embedding ((1 + cos) / 2), last seen (epoch ms), confidence, success rate.
// Owner and id are read once: a memory deleted while this runs reads as nulls from then on, and is left out.
CALL db.index.fulltext.queryNodes('memory_text', $lucene_query, {limit: $fetch_k}) YIELD node AS m, score
WITH m, score, m.agent_id AS owner, m.id AS id
WHERE owner IS NOT NULL AND id IS NOT NULL AND (
      $agent_id IS NULL
   OR owner = $agent_id
   OR EXISTS {
        MATCH (g:ShareGrant {grantee_id: $agent_id, owner_id: owner})
        WHERE g.revoked_at IS NULL AND (g.expires_at IS NULL OR g.expires_at > datetime())
          AND ((g.scope = 'memory' AND id IN g.memory_ids)
            OR (g.scope = 'domain' AND m.domain = g.value)
            OR (g.scope = 'tag' AND g.value IN m.tags)
            OR (g.scope = 'pattern' AND id IN g.memory_ids))
      })
RETURN id, owner AS agent_id, score, vector.similarity.cosine(m.context_embedding, $embedding) AS similarity,
       coalesce(m.last_seen, m.created_at).epochMillis AS seen_ms, m.confidence_score AS confidence_score,
       m.success_rate AS success_rate
