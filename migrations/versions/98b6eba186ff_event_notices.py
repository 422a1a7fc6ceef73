"""event notices

Revision ID: 98b6eba186ff
Revises: 2476ef41e707
Create Date: 2026-12-04 22:04:32.528016

Notifications also tell people of the steps that change their work or standing (a nomination
returned, approved, drawn, commended …), not only of deadlines: the kind `event`, the audit
event it is about (`event_id`, 0 for the reminders), the action and its comment. The unique
key gains `event_id`: a reminder is still once per user, step, kind and day; an event's
notice once per user and event. An event has no due date of its own.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '98b6eba186ff'
down_revision = '2476ef41e707'
branch_labels = None
depends_on = None

OLD_KINDS = "'due_soon', 'due_today', 'overdue', 'escalation'"
NEW_KINDS = OLD_KINDS + ", 'event'"


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('action', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('body', sa.Text(), nullable=True))
        batch_op.alter_column('due_on', existing_type=sa.DATE(), nullable=True)
        batch_op.drop_constraint('once_per_step_kind_day', type_='unique')
        batch_op.create_unique_constraint(
            'once_per_step_kind_day_event',
            ['user_id', 'nomination_id', 'state', 'kind', 'day', 'event_id'],
        )
        batch_op.drop_constraint(op.f('ck_notifications_kind'), type_='check')
        batch_op.create_check_constraint('kind', f"kind IN ({NEW_KINDS})")


def downgrade():
    op.execute("DELETE FROM notifications WHERE kind = 'event'")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notifications_kind'), type_='check')
        batch_op.create_check_constraint('kind', f"kind IN ({OLD_KINDS})")
        batch_op.drop_constraint('once_per_step_kind_day_event', type_='unique')
        batch_op.create_unique_constraint(
            'once_per_step_kind_day', ['user_id', 'nomination_id', 'state', 'kind', 'day']
        )
        batch_op.alter_column('due_on', existing_type=sa.DATE(), nullable=False)
        batch_op.drop_column('body')
        batch_op.drop_column('action')
        batch_op.drop_column('event_id')
