// A periodic job's lease: the last interval claimed, by whom, when, and how many claims in all.
MATCH (l:Lease {name: $name})
RETURN l.slot AS slot, l.holder AS holder, l.claimed_at AS claimed_at, coalesce(l.claims, 0) AS claims
