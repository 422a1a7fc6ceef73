"""The nomination workflow, as data.

One place defines the states a nomination passes through and every action that moves it:
who may take the action (a role, checked against the organisation tree by the caller's
permission function), whether a comment is needed, and which named guards must hold
(`workflows.guards`). The engine (`workflows.engine`), the pages, the API, the transition
tests and the Mermaid diagram are all built from these two lists.

`manual` actions are the ones a person takes from the nomination page or
`POST /api/v1/nominations/{id}/actions/{action}`; the others are fired by their stage's own
service (closing a member evaluation, the random draw, a check log, the commendation).
"""

from __future__ import annotations

from dataclasses import dataclass

SYSTEM = "system"  # actions fired by the system itself (jobs), never by a person

STATES: list[dict] = [
    {"name": "draft", "owner": "union", "label": "草稿", "stage": "application"},
    {"name": "submitted", "owner": "reviewer", "label": "待审核", "stage": "application"},
    {"name": "returned", "owner": "union", "label": "退回修改", "stage": "application"},
    {"name": "rejected", "label": "不予推荐", "stage": "application", "final": True},
    {"name": "withdrawn", "label": "已撤回", "stage": "application", "final": True},
    {"name": "member_evaluation", "owner": "union", "label": "会员评家", "stage": "evaluation"},
    {"name": "evaluation_failed", "label": "评家未达标", "stage": "evaluation", "final": True},
    {"name": "awaiting_draw", "owner": "city", "label": "待抽签", "stage": "spot_check"},
    {"name": "spot_check", "owner": "inspector", "label": "抽查中", "stage": "spot_check"},
    {"name": "rectification", "owner": "union", "label": "限期整改", "stage": "spot_check"},
    {"name": "spot_check_failed", "label": "抽查不合格", "stage": "spot_check", "final": True},
    {"name": "candidate", "owner": "city", "label": "表彰候选", "stage": "commendation"},
    {"name": "publicity", "owner": "city", "label": "公示中", "stage": "commendation"},
    {"name": "commended", "label": "已表彰", "stage": "commendation"},
    # A candidate whose objection was upheld, or a commended home found below standard.
    {"name": "honour_rectification", "owner": "union", "label": "整改中", "stage": "commendation"},
    {"name": "not_commended", "label": "未获表彰", "stage": "commendation", "final": True},
    {"name": "revoked", "label": "已撤销称号", "stage": "commendation", "final": True},
]

STAGES: list[dict] = [
    {"name": "application", "label": "申报自查"},
    {"name": "evaluation", "label": "会员评家"},
    {"name": "spot_check", "label": "随机抽查"},
    {"name": "commendation", "label": "表彰"},
]

# comment: "none" | "optional" | "required"
TRANSITIONS: list[dict] = [
    # 申报自查
    {
        "trigger": "submit",
        "source": ["draft", "returned"],
        "dest": "submitted",
        "role": "union",
        "label": "提交申报",
        "comment": "optional",
        "guards": ["campaign_open", "self_assessment_complete"],
        "manual": True,
    },
    {
        "trigger": "withdraw",
        "source": ["draft", "submitted", "returned"],
        "dest": "withdrawn",
        "role": "union",
        "label": "撤回申报",
        "comment": "optional",
        "manual": True,
    },
    {
        "trigger": "return",
        "source": ["submitted"],
        "dest": "returned",
        "role": "reviewer",
        "label": "退回修改",
        # The reviewer's comments on the round's items count as the comment: the
        # self-assessment's `prepare` hook sums them up into the return's note.
        "comment": "required",
        "manual": True,
    },
    {
        "trigger": "approve",
        "source": ["submitted"],
        "dest": "member_evaluation",
        "role": "reviewer",
        "label": "推荐上报",
        "comment": "optional",
        "manual": True,
    },
    {
        "trigger": "reject",
        "source": ["submitted"],
        "dest": "rejected",
        "role": "reviewer",
        "label": "不予推荐",
        "comment": "required",
        "manual": True,
    },
    # 会员评家: closing the evaluation decides against the category's threshold
    {
        "trigger": "pass_evaluation",
        "source": ["member_evaluation"],
        "dest": "awaiting_draw",
        "role": SYSTEM,
        "label": "评家达标",
        "comment": "optional",
    },
    {
        "trigger": "fail_evaluation",
        "source": ["member_evaluation"],
        "dest": "evaluation_failed",
        "role": SYSTEM,
        "label": "评家未达标",
        "comment": "optional",
    },
    # 随机抽查: the draw sends each nomination to a check or straight on
    {
        "trigger": "draw",
        "source": ["awaiting_draw"],
        "dest": "spot_check",
        "role": "city",
        "label": "抽中抽查",
        "comment": "optional",
    },
    {
        "trigger": "pass_without_check",
        "source": ["awaiting_draw"],
        "dest": "candidate",
        "role": "city",
        "label": "未抽中，进入候选",
        "comment": "optional",
    },
    {
        "trigger": "pass_check",
        "source": ["spot_check"],
        "dest": "candidate",
        "role": "inspector",
        "label": "抽查合格",
        "comment": "optional",
    },
    {
        "trigger": "order_rectification",
        "source": ["spot_check"],
        "dest": "rectification",
        "role": "inspector",
        "label": "限期整改",
        "comment": "required",
    },
    {
        "trigger": "fail_check",
        "source": ["spot_check"],
        "dest": "spot_check_failed",
        "role": "inspector",
        "label": "抽查不合格",
        "comment": "required",
    },
    {
        "trigger": "accept_rectification",
        "source": ["rectification"],
        "dest": "candidate",
        "role": "inspector",
        "label": "整改验收通过",
        "comment": "optional",
    },
    {
        "trigger": "reject_rectification",
        "source": ["rectification"],
        "dest": "spot_check_failed",
        "role": "inspector",
        "label": "整改验收不通过",
        "comment": "required",
    },
    # 表彰
    {
        "trigger": "publish",
        "source": ["candidate"],
        "dest": "publicity",
        "role": "city",
        "label": "列入公示名单",
        "comment": "optional",
    },
    {
        "trigger": "not_select",
        "source": ["candidate"],
        "dest": "not_commended",
        "role": "city",
        "label": "未列入表彰",
        "comment": "optional",
    },
    {
        "trigger": "uphold_objection",
        "source": ["publicity"],
        "dest": "not_commended",
        "role": "city",
        "label": "异议成立",
        "comment": "required",
    },
    {
        "trigger": "commend",
        "source": ["publicity"],
        "dest": "commended",
        "role": "city",
        "label": "发文表彰",
        "comment": "optional",
    },
    {
        "trigger": "objection_rectification",
        "source": ["publicity"],
        "dest": "honour_rectification",
        "role": "city",
        "label": "异议成立，限期整改",
        "comment": "required",
    },
    {
        "trigger": "order_honour_rectification",
        "source": ["commended"],
        "dest": "honour_rectification",
        "role": "city",
        "label": "责令整改",
        "comment": "required",
    },
    {
        "trigger": "rectified_to_candidate",
        "source": ["honour_rectification"],
        "dest": "candidate",
        "role": "city",
        "label": "整改合格，重新列为候选",
        "comment": "optional",
        "guards": ["rectifying_before_commendation"],
    },
    {
        "trigger": "rectification_not_passed",
        "source": ["honour_rectification"],
        "dest": "not_commended",
        "role": "city",
        "label": "整改不合格，不予表彰",
        "comment": "required",
        "guards": ["rectifying_before_commendation"],
    },
    {
        "trigger": "honour_restored",
        "source": ["honour_rectification"],
        "dest": "commended",
        "role": "city",
        "label": "整改合格，保留称号",
        "comment": "optional",
        "guards": ["rectifying_commended_home"],
    },
    {
        "trigger": "revoke",
        "source": ["commended", "honour_rectification"],
        "dest": "revoked",
        "role": "city",
        "label": "撤销称号",
        "comment": "required",
        "guards": ["holds_the_title"],
    },
]


@dataclass(frozen=True)
class Action:
    """One action of the definition, checked and frozen at import."""

    name: str
    label: str
    source: tuple[str, ...]
    dest: str
    role: str
    comment: str = "optional"
    guards: tuple[str, ...] = ()
    manual: bool = False

    @property
    def comment_required(self) -> bool:
        return self.comment == "required"


STATE_NAMES: list[str] = [s["name"] for s in STATES]
STATE_LABELS: dict[str, str] = {s["name"]: s["label"] for s in STATES}
STATE_STAGE: dict[str, str] = {s["name"]: s["stage"] for s in STATES}
FINAL_STATES: frozenset[str] = frozenset(s["name"] for s in STATES if s.get("final"))
# Whose move it is in each state: what puts a nomination on that role's worklist (待办).
STATE_OWNER: dict[str, str] = {s["name"]: s["owner"] for s in STATES if s.get("owner")}
STAGE_LABELS: dict[str, str] = {s["name"]: s["label"] for s in STAGES}
ROLES: tuple[str, ...] = ("union", "reviewer", "inspector", "city", "admin")


def _build_actions() -> dict[str, Action]:
    actions: dict[str, Action] = {}
    for row in TRANSITIONS:
        action = Action(
            name=row["trigger"],
            label=row["label"],
            source=tuple(row["source"]),
            dest=row["dest"],
            role=row["role"],
            comment=row.get("comment", "optional"),
            guards=tuple(row.get("guards", ())),
            manual=row.get("manual", False),
        )
        unknown = {*action.source, action.dest} - set(STATE_NAMES)
        if unknown:
            raise ValueError(f"action {action.name} names unknown states {sorted(unknown)}")
        if action.role not in (*ROLES, SYSTEM):
            raise ValueError(f"action {action.name} names unknown role {action.role}")
        if action.comment not in ("none", "optional", "required"):
            raise ValueError(f"action {action.name}: bad comment rule {action.comment}")
        if action.name in actions:
            raise ValueError(f"action {action.name} defined twice")
        actions[action.name] = action
    return actions


ACTIONS: dict[str, Action] = _build_actions()
