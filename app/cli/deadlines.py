"""Commands of the clock: closing evaluations, due dates, overdue steps, reminders (cron)."""

from __future__ import annotations

import click
from flask import Flask


def init_app(app: Flask) -> None:
    """Register `close-evaluations`, `refresh-due-dates`, `overdue` and `remind`."""

    @app.cli.command("close-evaluations")
    def close_evaluations_command() -> None:
        """Close every member evaluation whose window has ended (run from cron without Redis)."""
        from app.evaluation.jobs import sweep_job

        closed = sweep_job()
        click.echo(f"已结束 {len(closed)} 个会员评家" + (f"：{closed}" if closed else "。"))

    @app.cli.command("refresh-due-dates")
    def refresh_due_dates_command() -> None:
        """Recompute every active step's due date (after changing the working-day calendar)."""
        from sqlalchemy import select

        from app.campaigns.models import Campaign
        from app.extensions import db
        from app.nominations.deadlines import refresh_campaign

        ids = list(db.session.scalars(select(Campaign.id).order_by(Campaign.id)))
        total = 0
        for number, campaign_id in enumerate(ids, start=1):
            total += refresh_campaign(campaign_id)
            db.session.commit()
            click.echo(f"[{number}/{len(ids)}] 评选活动 {campaign_id}：已更新")
        click.echo(f"共更新 {total} 个申报的办理期限。")

    @app.cli.command("overdue")
    def overdue_command() -> None:
        """List the steps that are overdue now (Beijing date), the most overdue first."""
        from app.notifications.sweep import due_steps
        from app.timeutil import beijing_today
        from workflows.nomination import STATE_LABELS

        today = beijing_today()
        steps = due_steps(today, soon_days=-1)  # due before today
        roles = {
            "union": "基层工会",
            "reviewer": "审核人",
            "inspector": "抽查员",
            "city": "市总工会",
        }
        for step in steps:
            click.echo(
                f"申报 {step.nomination_id}\t{step.unit}\t{STATE_LABELS[step.state]}\t"
                f"待{roles.get(step.owner, step.owner)}办理\t"
                f"期限 {step.due_on.isoformat()}\t逾期 {(today - step.due_on).days} 天"
            )
        click.echo(f"截至 {today.isoformat()}，共 {len(steps)} 项逾期。")

    @app.cli.command("remind")
    def remind_command() -> None:
        """Owe today's reminders and send the e-mails due (cron, when there is no Redis)."""
        from app.notifications.jobs import sweep_job

        result = sweep_job()
        click.echo(
            f"到期事项 {result['steps']} 个，新通知 {result['created']} 条，"
            f"每日汇总 {result['digests']} 份，"
            f"邮件：已发送 {result['sent']}，待重试 {result['retrying']}，"
            f"失败 {result['failed']}；短信和群消息：已发送 {result['messages_sent']}，"
            f"失败 {result['messages_failed']}。"
        )
