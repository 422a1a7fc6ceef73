"""users have a mobile number

Revision ID: ef958a8a0f83
Revises: b33c7b291cf6
Create Date: 2026-12-02 21:36:21.899848

A user's mainland mobile number (11 digits, app/auth/mobile.py), unique when given: what
SMS notices are sent to and what single sign-on may map an identity by. Existing users have
none.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ef958a8a0f83'
down_revision = 'b33c7b291cf6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mobile', sa.String(length=11), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_mobile'), ['mobile'])


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_mobile'), type_='unique')
        batch_op.drop_column('mobile')
