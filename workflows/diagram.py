"""The nomination state machine as a Mermaid diagram, generated from the definition."""

from __future__ import annotations

from workflows.nomination import FINAL_STATES, STATES, TRANSITIONS


def mermaid() -> str:
    lines = ["stateDiagram-v2"]
    for state in STATES:
        lines.append(f'    state "{state["label"]} ({state["name"]})" as {state["name"]}')
    lines.append("    [*] --> draft")
    for row in TRANSITIONS:
        for source in row["source"]:
            lines.append(
                f"    {source} --> {row['dest']}: {row['label']} · {row['trigger']} [{row['role']}]"
            )
    for state in STATES:
        if state["name"] in FINAL_STATES:
            lines.append(f"    {state['name']} --> [*]")
    return "\n".join(lines) + "\n"
