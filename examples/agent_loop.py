"""A scripted agent (no LLM) that works through incidents with execute_with_memory and prints how its choices
change as Engram learns what worked.

    make run                                                   # in one terminal: the service on :8000
    .venv/bin/engram agent create demo-agent --save .engram/demo-agent.key
    ENGRAM_API_KEY_FILE=.engram/demo-agent.key .venv/bin/python examples/agent_loop.py

Each round the agent meets the same three kinds of incident (worded a little differently each time) and may
take any of four actions. It does not know which action fixes which incident; the world below does. Engram
records every decision and failure, and the next round's suggestion draws on them: the agent stops repeating
what failed and keeps what worked. Run it again and it starts from what it learned the first time.
"""

from __future__ import annotations

import argparse
import random

from engram.client import EngramClient, RemoteStrategy, Task, execute_with_memory

ACTIONS = ["restart-service", "retry-with-backoff", "raise-pool-size", "rotate-logs"]
# The hidden truth: the one action that fixes each kind of incident.
WORLD = {
    "auth API request timed out while fetching a token from the identity provider": "retry-with-backoff",
    "database connection pool exhausted while the checkout service is under load": "raise-pool-size",
    "disk full on the log volume of the ingestion worker": "rotate-logs",
}
HOSTS = ["web-1", "web-2", "worker-3", "worker-4", "api-5", "api-6"]


def incident(kind: str, round_no: int) -> str:
    return f"{kind} on {HOSTS[round_no % len(HOSTS)]}"


def act(kind: str):
    def run(strategy: RemoteStrategy) -> str:
        if strategy.chosen_approach != WORLD[kind]:
            raise RuntimeError(f"{strategy.chosen_approach} did not help: {kind}")
        return "resolved"
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=None, help="The service (default ENGRAM_URL or http://127.0.0.1:8000).")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--policy", choices=["best", "thompson"], default="best",
                        help="best: the highest estimated success; thompson: sample from the estimates.")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with EngramClient(args.url) as engram:
        print(f"agent {engram.viewer().viewer.agent_id}, actions: {', '.join(ACTIONS)}\n")
        for round_no in range(1, args.rounds + 1):
            solved = 0
            for kind in WORLD:
                task = Task(incident(kind, round_no), ACTIONS, domain="ops")
                outcome = execute_with_memory(engram, task, act(kind), policy=args.policy, rng=rng,
                                              recover=lambda error, kind=kind: None)
                solved += outcome.succeeded
                mark = "ok  " if outcome.succeeded else "FAIL"
                print(f"round {round_no}  {mark} {outcome.strategy:<18} {kind[:60]}"
                      f"  (informed by {len(outcome.informed_by)} memories)")
            print(f"round {round_no}: {solved}/{len(WORLD)} incidents resolved on the first try\n")


if __name__ == "__main__":
    main()
