"""The perf benchmark's synthetic memories and queries: incidents across services and environments, stored as
decisions, failures and successes, and paraphrased queries that are never stored themselves."""

from __future__ import annotations

import itertools
import random

def agent_names(n: int) -> list[str]:
    return [f"bench-agent-{i}" for i in range(n)]


AGENTS = agent_names(20)  # the default; `--agents 100` for the 1M point (each agent then holds 1 %)
GRANTS = [("bench-agent-0", "bench-agent-1", "db"), ("bench-agent-0", "bench-agent-2", "auth"),
          ("bench-agent-5", "bench-agent-6", "ci"), ("bench-agent-10", "bench-agent-11", "ops")]  # grantee, owner, domain
RECALL_AGENT = GRANTS[0][0]
SERVICES = ["checkout", "billing", "auth-gateway", "search", "inventory", "shipping", "notifications",
            "reports", "payments", "user-profile", "recommendations", "ledger"]
ENVS = ["production", "staging", "CI", "eu-west", "us-east"]
PROBLEMS = [  # (domain, context template, actions that were tried)
    ("ops", "request to {svc} timed out after {n}s in {env}", ["retry-with-exponential-backoff", "increase-timeout", "scale-out"]),
    ("db", "{svc} deploy failed during database migration {n} in {env}", ["rollback", "run-migration-manually", "restore-snapshot"]),
    ("ci", "npm install timed out in CI job {n} for {svc}", ["verify-npm-cache", "retry-job", "pin-registry-mirror"]),
    ("ci", "flaky test test_{svc}_{n} failed intermittently on the {env} pipeline", ["quarantine-flaky-test", "retry-job"]),
    ("ops", "{svc} returned HTTP 503 under a load of {n} requests per second in {env}", ["scale-out", "enable-rate-limit"]),
    ("auth", "token refresh for {svc} failed with 401 after {n} retries in {env}", ["rotate-client-secret", "retry-with-exponential-backoff"]),
    ("ops", "disk usage on the {svc} database host reached {p} percent in {env}", ["expand-volume", "purge-old-logs"]),
    ("ops", "cache miss storm on {svc} after restart {n} in {env}", ["warm-cache", "clear-cache", "restart-service"]),
    ("db", "slow query on {svc} took {n} ms and blocked the connection pool in {env}", ["add-index", "increase-pool-size"]),
    ("network", "TLS handshake to {svc} failed {n} times after certificate renewal in {env}", ["reload-certificates", "rollback"]),
    ("auth", "users of {svc} were logged out after session store failover {n} in {env}", ["extend-session-ttl", "restart-service"]),
    ("network", "DNS lookups for {svc} resolved to a stale address {n} times in {env}", ["flush-dns-cache", "lower-dns-ttl"]),
]
ERRORS = {  # by domain
    "ops": "ReadTimeout: HTTPSConnectionPool(host='{svc}.internal', port=443): Read timed out. (read timeout={n})",
    "db": "psycopg.errors.LockNotAvailable: could not obtain lock on relation {svc}_{n}",
    "ci": "npm ERR! network request to https://registry.npmjs.org/{svc} failed, reason: ETIMEDOUT after {n}ms",
    "auth": "HTTP 401 Unauthorized from https://{svc}.internal/oauth/token (attempt {n})",
    "network": "ssl.SSLCertVerificationError: certificate verify failed for {svc}.internal:{n}",
}
QUERIES = [  # paraphrases of the stored situations, never stored themselves
    "calls to the {svc} API keep timing out for customers in {env}, case {q}",
    "the {svc} schema migration broke the release, what now? case {q}",
    "our pipeline hangs on installing node packages for {svc}, run {q}",
    "a {svc} unit test passes locally but sometimes fails in {env}, report {q}",
    "{svc} is overloaded and answers service unavailable, incident {q}",
    "{svc} cannot renew its access token and gets unauthorized, incident {q}",
    "the {svc} database server is almost out of disk space, alert {q}",
    "after restarting {svc} the cache hit rate collapsed, incident {q}",
    "{svc} database queries are very slow and connections run out, ticket {q}",
    "certificate problems when connecting to {svc} after the renewal, ticket {q}",
]

def make_inputs(start: int, stop: int, agents: list[str] = AGENTS) -> list[tuple[str, dict]]:
    """(agent, RecordMemoryInput) for memories start..stop-1, dealt to the agents in turn; mostly decisions,
    some failures and successes."""
    out = []
    for i in range(start, stop):
        rnd = random.Random(i)
        domain, template, actions = rnd.choice(PROBLEMS)
        svc, env = rnd.choice(SERVICES), rnd.choice(ENVS)
        n, p = rnd.randint(2, 999), rnd.randint(80, 99)
        context = template.format(svc=svc, env=env, n=n, p=p) + f" (ticket {100_000 + i})"
        item = {"context": context, "domain": domain, "tags": ["bench", env], "id": f"bench-{i}",
                "confidence": round(rnd.uniform(0.3, 0.95), 2)}
        roll = rnd.random()
        if roll < 0.75:
            item |= {"kind": "DECISION", "action": rnd.choice(actions), "alternatives": actions,
                     "outcome": rnd.choices(["SUCCESS", "PARTIAL", "FAILURE"], [5, 2, 3])[0]}
        elif roll < 0.9:
            item |= {"kind": "FAILURE", "error": ERRORS[domain].format(svc=svc, n=rnd.randint(1, 9999)),
                     "solution": rnd.choice(actions), "outcome": rnd.choice(["SUCCESS", "FAILURE"])}
        else:
            item |= {"kind": "SUCCESS", "action": rnd.choice(actions), "outcome": "SUCCESS"}
        out.append((agents[i % len(agents)], item))
    return out


_query_counter = itertools.count()


def fresh_query() -> str:
    """A query context never used before in this run (so no embedding cache can answer it)."""
    q = next(_query_counter)
    rnd = random.Random(1_000_003 * q)
    return rnd.choice(QUERIES).format(svc=rnd.choice(SERVICES), env=rnd.choice(ENVS), q=70_000 + q)


