// Migration: a decision that acted on a showing of prevention checks was linked to the showing
// (ACTED_ON), and a check's record walked every showing of the check. Now it is linked to each check shown
// there (ACTED_WITH, with the check as shown and the checks it declared it followed). Runs once: the old
// links are removed as they are carried over.
MATCH (d:Memory:Decision)-[a:ACTED_ON]->(s:CheckShowing)
CALL (d, a, s) {
  MATCH (s)-[shown:SHOWED]->(t:CheckTrack)
  MERGE (d)-[w:ACTED_WITH]->(t)
    ON CREATE SET w.showing = s.id, w.followed = a.followed, w.guards = shown.guards, w.better = shown.better
}
DELETE a
