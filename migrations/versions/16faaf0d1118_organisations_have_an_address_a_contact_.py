"""organisations have an address, a contact phone and an active flag

Revision ID: 16faaf0d1118
Revises: 9f03bc6b2836
Create Date: 2026-12-04 21:09:23.569667

What the roster import carries for each organisation: the address the inspectors visit and
a contact phone; and whether it is still active (a deactivated union keeps its history and
nominations but is offered for nothing new). Existing organisations are active.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '16faaf0d1118'
down_revision = '9f03bc6b2836'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('contact_phone', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('is_active', sa.Boolean(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.drop_column('is_active')
        batch_op.drop_column('contact_phone')
        batch_op.drop_column('address')
