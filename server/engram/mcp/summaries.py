"""Short texts an LLM can act on, one per tool, from the data of the tool's GraphQL operation."""

from __future__ import annotations

from typing import Any


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def _names(agents: list[dict[str, Any]] | None) -> str:
    return ", ".join(a["name"] for a in agents or []) or "nobody"


def recall(data: dict[str, Any]) -> str:
    found = data["retrieveMemories"]
    if not found:
        return "No relevant memories are visible to you for this context."
    lines = [f"{len(found)} relevant memories (best first):"]
    for item in found:
        m = item["memory"]
        owner = "yours" if item["owned"] else f"shared by {m['agent']['name']}"
        detail = m.get("chosenAction") or m.get("solutionApplied") or m.get("successfulApproach") or m.get("statement")
        lines.append(f"- [{m['kind'].lower()}, {(m.get('outcome') or 'no outcome').lower()}, {owner}, "
                     f"score {item['score']:.2f}] {m['context']}" + (f" → {detail}" if detail else "") + f" (id {m['id']})")
    return "\n".join(lines)


def remember(data: dict[str, Any]) -> str:
    r = data["recordMemory"]
    state = "Stored" if r["created"] else "Already stored (unchanged)"
    redacted = f"; {r['redactions']} secret(s) redacted before storing" if r["redactions"] else ""
    kind = (r.get("memory") or {}).get("kind", "memory").lower()
    return f"{state}: {kind} memory {r['id']}{redacted}."


def suggest_action(data: dict[str, Any]) -> str:
    s = data["suggest"]
    lines = [f"Recommended: {s['recommended']}" if s["recommended"] else "No action is recommended yet."]
    if s.get("explore"):
        lines.append(f"Worth exploring: {s['explore']}")
    lines.append(s["rationale"])
    for a in s["actions"]:
        e = a["estimate"]
        lines.append(f"- {a['action']}: {_pct(e['mean'])} (90% {_pct(e['lower'])}–{_pct(e['upper'])}, "
                     f"{e['attempts']:g} attempts, from {_names(a['agents'])})")
    return "\n".join(lines)


def check_action(data: dict[str, Any]) -> str:
    c = data["checkAction"]
    lines = [f"{c['verdict']}: " + " ".join(c["reasons"])]
    if c.get("betterAction"):
        lines.append(f"Better action: {c['betterAction']}")
    lines += [f"Prevention check {p['name']} ({p['id']}, {p['status'].lower()}): {p['description']} Step: {p['step']}."
              for p in c["preventionChecks"]]
    if c.get("token"):
        lines.append(f"Check token (pass to record_outcome as check_token): {c['token']}")
    return "\n".join(lines)


def record_outcome(data: dict[str, Any]) -> str:
    d = data["recordDecision"]
    b = d["branch"]
    return (f"Recorded decision {d['memoryId']} ({d['action']}). In this kind of context it now succeeds "
            f"{_pct(b['mean'])} of the time (90% {_pct(b['lower'])}–{_pct(b['upper'])}, {b['attempts']:g} attempts).")


def report_failure(data: dict[str, Any]) -> str:
    f = data["learnFromFailure"]
    pattern = f"new pattern {f['patternId']}" if f["newPattern"] else f"known pattern {f['patternId']}"
    lines = [f"Learned from failure {f['memoryId']}: {pattern}, seen {f['occurrenceCount']} time(s)."]
    lines += [f"- solution {s['description']}: {_pct(s['successRate'])} over {s['attempts']:g} attempts "
              f"({_names(s['agents'])})" for s in f["solutions"]]
    lines += [f"Prevention check {p['name']}: {p['description']}" for p in f["preventionChecks"]]
    return "\n".join(lines)


def predict_outcome(data: dict[str, Any]) -> str:
    p = data["predictOutcome"]
    return (f"Estimated success {_pct(p['probability'])} (90% {_pct(p['lower'])}–{_pct(p['upper'])}) "
            f"from {p['attempts']:g} similar attempts.")


def list_patterns(data: dict[str, Any]) -> str:
    edges = data["patterns"]["edges"]
    if not edges:
        return "No patterns are visible to you yet."
    lines = [f"{len(edges)} pattern(s):"]
    for edge in edges:
        p = edge["node"]
        what = p.get("action") or "; ".join(s["description"] for s in p["solutions"][:2]) or "-"
        lines.append(f"- {p['kind'].lower()} {p['name']} (id {p['id']}): {p['occurrences']} occurrence(s), "
                     f"success {_pct(p.get('successRate'))}{', recurring' if p['recurring'] else ''}; {what}")
    return "\n".join(lines)


def request_access(data: dict[str, Any]) -> str:
    r = data["requestAccess"]
    value = f" {r['value']}" if r.get("value") else ""
    return (f"Request {r['id']} to {r['owner']['id']} for {r['scope'].lower()}{value} is {r['status']}. "
            f"The owner grants or denies it; until then nothing of theirs is visible to you.")
