"""Renders execution events as terminal lines (run_agent)."""
import json


def _short(value, limit: int = 300) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def event_line(event_type: str, data: dict) -> str | None:
    if event_type == "phase":
        line = f"[phase] {data['phase']}"
        return f"{line}: {data['error']}" if data.get("error") else line
    if event_type == "message":
        role = data.get("role")
        if role == "ai" and data.get("content"):
            return f"[ai] {data['content']}"
        if role == "human":
            return f"[you] {data['content']}"
        if role == "system":
            return f"[system] {data.get('content', '')}"
        return None  # tool messages are shown by their tool_call_* events
    if event_type == "tool_call_started":
        return f"[tool] {data['name']}({_short(data.get('args', {}))}) …"
    if event_type == "tool_call_completed":
        return f"[tool] {data['name']} → {_short(data.get('result', ''))} ({data.get('duration_ms', 0)} ms)"
    if event_type == "tool_call_failed":
        return f"[tool] {data['name']} failed: {_short(data.get('error', ''))}"
    if event_type == "usage":
        return f"[usage] {data['input_tokens']} in / {data['output_tokens']} out / {data['total_tokens']} total"
    if event_type == "model_retry":
        return f"[retry] {data.get('message', '')}"
    if event_type == "delegation":
        return f"[delegate] {data['agent']} runs as execution {data['execution']} (its own transcript)"
    if event_type == "approval_requested":
        return f"[approval] {data['name']}({_short(data.get('args', {}))}) waits for a decision (call {data['id']})"
    if event_type == "approval_decided":
        by = f" by {data['by']}" if data.get("by") else ""
        comment = f": {data['comment']}" if data.get("comment") else ""
        return f"[approval] {data['name']} {data['decision']}{by} ({data['surface']}){comment}"
    if event_type in ("system", "error"):
        return f"[{event_type}] {data.get('message', '')}"
    return None
