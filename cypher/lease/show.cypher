// A periodic job's lease: who claimed it last, when, and how many times.
MATCH (l:Lease {name: $name})
RETURN l.holder AS holder, l.claimed_at AS claimed_at, l.next_run_at AS next_run_at, coalesce(l.claims, 0) AS claims
