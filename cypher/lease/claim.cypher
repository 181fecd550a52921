// Claim the periodic job $name for one interval: true for exactly one caller per interval, however many
// service processes ask. Writing the node first takes its lock, so the check and the claim are one step.
MERGE (l:Lease {name: $name})
SET l.checked_at = datetime.realtime()
WITH l, coalesce(l.next_run_at, datetime({epochMillis: 0})) <= datetime.realtime() AS due
CALL (l, due) {
  WITH l, due WHERE due
  SET l.holder = $holder, l.claimed_at = datetime.realtime(),
      l.next_run_at = datetime.realtime() + duration({milliseconds: $hold_ms}),
      l.claims = coalesce(l.claims, 0) + 1
}
RETURN due AS claimed, l.holder AS holder
