// Claim interval $slot (whole intervals since the epoch) of the periodic job $name: true for exactly one
// caller per slot, however many service processes ask. Writing the node first takes its lock, so the
// check and the claim are one step.
MERGE (l:Lease {name: $name})
SET l.checked_at = datetime.realtime()
WITH l, coalesce(l.slot, -1) < $slot AS due
CALL (l, due) {
  WITH l, due WHERE due
  SET l.slot = $slot, l.holder = $holder, l.claimed_at = datetime.realtime(), l.claims = coalesce(l.claims, 0) + 1
}
RETURN due AS claimed, l.holder AS holder
