"""What a crash may not leave behind, read straight from Neo4j: acknowledged writes missing or without
their embedding and index entries, half-written memories, decisions counted wrongly in their
templates, grants without their audit event, and duplicate nodes for unique keys."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import neo4j

MEMORY_STATE = """
UNWIND $ids AS id
OPTIONAL MATCH (m:Memory {id: id})
RETURN id, m IS NOT NULL AS present,
       m.context_embedding IS NOT NULL AS embedded,
       EXISTS { MATCH (:Agent)-[:REMEMBERS]->(m) } AS owned,
       EXISTS { MATCH (m)-[:IN_DOMAIN]->(:Domain) } AS in_domain
"""
# The memory's own vector must find it in its shard's vector index; its one-word token, in the fulltext index.
VECTOR_HIT = """
UNWIND $ids AS id
MATCH (m:Memory {id: id})
CALL (m) {
  WITH m, [l IN labels(m) WHERE l STARTS WITH 'MemoryShard'][0] AS shard
  CALL db.index.vector.queryNodes('memory_shard_' + substring(shard, size('MemoryShard')) + '_embedding', 5,
                                  m.context_embedding) YIELD node
  RETURN collect(node.id) AS hits
}
RETURN id, id IN hits AS found
"""
FULLTEXT_HIT = """
UNWIND $rows AS row
CALL (row) {
  CALL db.index.fulltext.queryNodes('memory_text', row.token) YIELD node
  RETURN collect(node.id) AS hits
}
RETURN row.id AS id, row.id IN hits AS found
"""
DECISIONS = """
UNWIND $ids AS id
OPTIONAL MATCH (m:Memory {id: id})
OPTIONAL MATCH (m)-[r:INSTANCE_OF]->(:DecisionTemplate)
RETURN id, m IS NOT NULL AS present, count(r) AS links
"""
TEMPLATE_COUNTS = """
MATCH (t:DecisionTemplate)
OPTIONAL MATCH (t)-[b:BRANCH]->(:Action)
WITH t, sum(b.attempts) AS branch_attempts
RETURN t.id AS id, t.attempts AS attempts, branch_attempts,
       COUNT { MATCH (:Memory)-[:INSTANCE_OF]->(t) } AS instances
"""
GRANTS_WITHOUT_AUDIT = """
MATCH (g:ShareGrant)
WHERE NOT EXISTS { MATCH (e:AuditEvent {type: 'grant'}) WHERE g.id IN e.subject_ids }
RETURN count(g) AS missing
"""
REVOKES_WITHOUT_AUDIT = """
MATCH (g:ShareGrant) WHERE g.revoked_at IS NOT NULL
  AND NOT EXISTS { MATCH (e:AuditEvent {type: 'revoke'}) WHERE g.id IN e.subject_ids }
RETURN count(g) AS missing
"""
DUPLICATES = """
CALL () {
  MATCH (n:Memory) WITH n.id AS key, count(*) AS c WHERE c > 1 RETURN 'Memory' AS label, key, c
  UNION ALL
  MATCH (n:DecisionTemplate) WITH n.id AS key, count(*) AS c WHERE c > 1 RETURN 'DecisionTemplate' AS label, key, c
  UNION ALL
  MATCH (n:Action) WITH n.name AS key, count(*) AS c WHERE c > 1 RETURN 'Action' AS label, key, c
  UNION ALL
  MATCH (n:AuditEvent) WITH n.seq AS key, count(*) AS c WHERE c > 1 RETURN 'AuditEvent' AS label, toString(key) AS key, c
  UNION ALL
  MATCH (:DecisionTemplate)-[b:BRANCH]->(a:Action) WITH startNode(b) AS t, a, count(b) AS c WHERE c > 1
  RETURN 'BRANCH' AS label, t.id + '->' + a.name AS key, c
}
RETURN label, key, c
"""
MEMORIES_INCOMPLETE = """
MATCH (m:Memory)
WHERE m.context_embedding IS NULL OR NOT EXISTS { MATCH (:Agent)-[:REMEMBERS]->(m) }
RETURN collect(m.id) AS ids
"""


@dataclass
class IntegrityReport:
    acked_memories: int = 0
    acked_memories_present: int = 0
    acked_memories_complete: int = 0  # embedding, owner, domain, vector and fulltext hits
    unacked_memories_present: int = 0
    incomplete_memories: list[str] = field(default_factory=list)  # any memory: no embedding or no owner
    acked_decisions: int = 0
    acked_decisions_counted: int = 0
    decisions_linked_twice: int = 0
    decisions_present_uncounted: list[str] = field(default_factory=list)
    template_mismatches: list[str] = field(default_factory=list)
    grants_without_audit: int = 0
    revokes_without_audit: int = 0
    duplicates: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        found = []
        if self.acked_memories_present != self.acked_memories:
            found.append(f"{self.acked_memories - self.acked_memories_present} acknowledged memories missing")
        if self.acked_memories_complete != self.acked_memories_present:
            found.append(f"{self.acked_memories_present - self.acked_memories_complete} acknowledged memories "
                         "without embedding, owner, domain or index entries")
        if self.incomplete_memories:
            found.append(f"half-written memories: {self.incomplete_memories[:5]}")
        if self.acked_decisions_counted != self.acked_decisions:
            found.append(f"{self.acked_decisions - self.acked_decisions_counted} acknowledged decisions not counted")
        if self.decisions_linked_twice:
            found.append(f"{self.decisions_linked_twice} decisions linked to two templates")
        found += self.template_mismatches
        if self.grants_without_audit:
            found.append(f"{self.grants_without_audit} grants without their audit event")
        if self.revokes_without_audit:
            found.append(f"{self.revokes_without_audit} revokes without their audit event")
        if self.duplicates:
            found.append(f"duplicate nodes for unique keys: {self.duplicates[:5]}")
        return found


def check(driver: neo4j.Driver, database: str, *, memories_sent: dict[str, dict], memories_acked: Iterable[str],
          decisions_sent: dict[str, dict], decisions_acked: Iterable[str]) -> IntegrityReport:
    acked = sorted(memories_acked)
    acked_decisions = set(decisions_acked)
    report = IntegrityReport(acked_memories=len(acked), acked_decisions=len(acked_decisions))

    def run(query: str, **params) -> list[neo4j.Record]:
        return driver.execute_query(query, params, database_=database)[0]

    state = {r["id"]: r for r in run(MEMORY_STATE, ids=sorted(memories_sent))}
    present = [i for i in acked if state[i]["present"]]
    report.acked_memories_present = len(present)
    vector = {r["id"]: r["found"] for r in run(VECTOR_HIT, ids=present)}
    tokens = [{"id": i, "token": memories_sent[i]["context"].split()[0]} for i in present]
    fulltext = {r["id"]: r["found"] for r in run(FULLTEXT_HIT, rows=tokens)}
    report.acked_memories_complete = sum(
        1 for i in present
        if state[i]["embedded"] and state[i]["owned"] and state[i]["in_domain"] and vector[i] and fulltext[i])
    acked_set = set(acked)
    report.unacked_memories_present = sum(1 for i, r in state.items() if r["present"] and i not in acked_set)
    report.incomplete_memories = list(run(MEMORIES_INCOMPLETE)[0]["ids"])

    for r in run(DECISIONS, ids=sorted(decisions_sent)):
        if r["links"] > 1:
            report.decisions_linked_twice += 1
        if r["id"] in acked_decisions and r["links"] == 1:
            report.acked_decisions_counted += 1
        if r["present"] and r["links"] == 0:
            report.decisions_present_uncounted.append(r["id"])
    for t in run(TEMPLATE_COUNTS):
        if not t["attempts"] == t["branch_attempts"] == t["instances"]:
            report.template_mismatches.append(
                f"template {t['id']}: attempts {t['attempts']}, branch sum {t['branch_attempts']}, "
                f"decisions linked {t['instances']}")
    report.grants_without_audit = run(GRANTS_WITHOUT_AUDIT)[0]["missing"]
    report.revokes_without_audit = run(REVOKES_WITHOUT_AUDIT)[0]["missing"]
    report.duplicates = [f"{r['label']} {r['key']} x{r['c']}" for r in run(DUPLICATES)]
    return report
