"""the language of a user's messages

Revision ID: 0440fc961696
Revises: fa5ac8c1368f
Create Date: 2026-12-04 22:45:38.504866

The language a user last chose in the app (their e-mails and SMS follow it), and each
notice's title in English beside the Chinese one, for the users who chose English.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0440fc961696'
down_revision = 'fa5ac8c1368f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('title_en', sa.String(length=300), nullable=True))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locale', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locale')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('title_en')
