"""admin audit

Revision ID: 9f03bc6b2836
Revises: ef958a8a0f83
Create Date: 2026-12-02 21:41:54.625382

The administrators' audit trail (app/admin/models.py): who changed which account or
organisation, when, and what changed, written in the transaction of the change. Before
this, those changes were only log lines; nothing is carried over from the logs.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9f03bc6b2836'
down_revision = 'ef958a8a0f83'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('admin_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target_type', sa.String(length=16), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('target_label', sa.String(length=200), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_admin_audit_actor_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_audit'))
    )
    with op.batch_alter_table('admin_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admin_audit_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_admin_audit_at'), ['at'], unique=False)
        batch_op.create_index('ix_admin_audit_target', ['target_type', 'target_id'], unique=False)


def downgrade():
    with op.batch_alter_table('admin_audit', schema=None) as batch_op:
        batch_op.drop_index('ix_admin_audit_target')
        batch_op.drop_index(batch_op.f('ix_admin_audit_at'))
        batch_op.drop_index(batch_op.f('ix_admin_audit_actor_id'))

    op.drop_table('admin_audit')