"""GraphQL over HTTP conformance: runs the `graphql-http` package's server audits against the API.

    python -m bench.graphql_http_audit --url http://127.0.0.1:8000/graphql   # a running server
    python -m bench.graphql_http_audit --serve                                # start `engram serve` for the run

Prints ok / warn / error counts for MUST and SHOULD (and MAY) audits and every audit that is not ok;
exits 1 when a MUST audit fails. The Node tooling lives in bench/graphql_http/ (package.json and
package-lock.json committed, node_modules git-ignored) and is installed with `npm ci` on first use."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

TOOLS = Path(__file__).resolve().parent / "graphql_http"
REQUIREMENTS = ("MUST", "SHOULD", "MAY")
STATUSES = ("ok", "notice", "warn", "error")


def ensure_tools() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise SystemExit("node and npm are needed (Node 18+).")
    if not (TOOLS / "node_modules" / "graphql-http").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=TOOLS, check=True)


def run_audit(url: str) -> list[dict]:
    ensure_tools()
    done = subprocess.run(["node", "audit.mjs", url], cwd=TOOLS, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"audit failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


def counts(results: list[dict]) -> dict[str, dict[str, int]]:
    tally = Counter((r["requirement"], r["status"]) for r in results)
    return {req: {status: tally[(req, status)] for status in STATUSES} for req in REQUIREMENTS}


def report(results: list[dict]) -> str:
    lines = [f"{'':8}" + "".join(f"{s:>8}" for s in STATUSES)]
    for req, row in counts(results).items():
        lines.append(f"{req:8}" + "".join(f"{row[s]:>8}" for s in STATUSES))
    failing = [r for r in results if r["status"] != "ok"]
    if failing:
        lines.append("")
        lines += [f"[{r['status']}] {r['name']} ({r['id']}): {r.get('reason', '')}" for r in failing]
    return "\n".join(lines)


@contextmanager
def served() -> Iterator[str]:
    """`engram serve` on a free port, with the environment of this process (NEO4J_URI etc.)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "engram.cli.main", "serve", "--port", str(port)],
                               env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise SystemExit("engram serve exited; is Neo4j running (`engram db start`)?")
            try:
                httpx.get(url + "/health", timeout=5)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise SystemExit("engram serve did not answer within 120 s") from None
                time.sleep(0.3)
        yield url + "/graphql"
    finally:
        process.terminate()
        process.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="The GraphQL endpoint, e.g. http://127.0.0.1:8000/graphql.")
    parser.add_argument("--serve", action="store_true", help="Start `engram serve` for the audit.")
    parser.add_argument("--json", type=Path, help="Also write every result to this file.")
    args = parser.parse_args(argv)
    if not args.url and not args.serve:
        parser.error("give --url or --serve")
    if args.serve:
        with served() as url:
            results = run_audit(url)
    else:
        results = run_audit(args.url)
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 1 if counts(results)["MUST"]["error"] else 0


if __name__ == "__main__":
    sys.exit(main())
