"""English for the domain's own Chinese labels (states, actions, roles, awards, stages).

The UI chrome is translated through the gettext catalogs; the domain's labels live with the
workflow data in Chinese, the language of the source documents, and are looked up here when
the user has switched to English.
"""

EN = {
    # states
    "草稿": "Draft",
    "待审核": "Awaiting review",
    "退回修改": "Returned for revision",
    "不予推荐": "Not recommended",
    "已撤回": "Withdrawn",
    "会员评家": "Member evaluation",
    "评家未达标": "Evaluation below threshold",
    "待抽签": "Awaiting draw",
    "抽查中": "Spot check",
    "限期整改": "Rectification",
    "抽查不合格": "Spot check failed",
    "表彰候选": "Candidate",
    "公示中": "Publicity period",
    "已表彰": "Commended",
    "未获表彰": "Not commended",
    "已撤销称号": "Title revoked",
    "整改中": "Rectifying (commendation)",
    "异议成立，限期整改": "Objection upheld: rectify",
    "责令整改": "Order rectification",
    "整改合格，重新列为候选": "Rectified: candidate again",
    "整改不合格，不予表彰": "Not rectified: not commended",
    "整改合格，保留称号": "Rectified: title kept",
    # actions
    "提交申报": "Submit",
    "撤回申报": "Withdraw",
    "推荐上报": "Approve",
    "评家达标": "Evaluation passed",
    "抽中抽查": "Drawn for spot check",
    "未抽中，进入候选": "Not drawn: to candidates",
    "抽查合格": "Spot check passed",
    # the spot check's result on the commendation board (app.commendation.selection)
    "未抽中": "Not drawn",
    "整改后合格": "Passed after rectification",
    "整改验收通过": "Rectification accepted",
    "整改验收不通过": "Rectification rejected",
    "列入公示名单": "Put on publicity list",
    "未列入表彰": "Not selected",
    "异议成立": "Objection upheld",
    "发文表彰": "Commend",
    "撤销称号": "Revoke title",
    "创建申报": "Created",
    # stages
    "申报自查": "Self-assessment",
    "随机抽查": "Spot check",
    "表彰": "Commendation",
    # roles
    "基层工会": "Grassroots union",
    "区县审核人": "District reviewer",
    "抽查员": "Inspector",
    "市总工会": "City federation",
    "系统管理员": "Administrator",
    # awards
    "模范职工之家": "Model workers' home",
    "模范职工小家": "Model small home",
    "优秀工会工作者": "Outstanding union worker",
    # campaign
    "市级": "City",
    "省级": "Provincial",
    "全国": "National",
    "筹备中": "Being prepared",
    "进行中": "Open",
    "已结束": "Closed",
    "申报截止": "Applications due",
    "审核截止": "Review due",
    "评家截止": "Evaluation due",
    "抽查截止": "Spot checks due",
    "公示期结束": "Publicity ends",
    # organisations
    "区（县）总工会": "District federation",
    "产业工会": "Industry union",
    "分工会": "Branch",
    "企业": "Enterprise",
    "机关事业单位": "Public institution",
    "区域性、行业性工会": "Regional / industry union",
}
