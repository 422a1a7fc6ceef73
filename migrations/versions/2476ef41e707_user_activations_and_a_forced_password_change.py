"""user activations and a forced password change

Revision ID: 2476ef41e707
Revises: d2ce2a8d64f0
Create Date: 2026-12-04 21:12:24.372452

One-time ways in for new users (app/auth/activation.py): an initial password or a link,
each kept only as the HMAC-SHA256 digest of its random secret, used once before it
expires. `users.must_change_password` marks a password someone else chose (an initial
password, an administrator's reset), which the user must replace at the next login.
Existing users keep their passwords and are not asked to change them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '2476ef41e707'
down_revision = 'd2ce2a8d64f0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_activations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('password', 'link', name='activationkind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('secret_digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_user_activations_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_activations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_activations')),
    sa.UniqueConstraint('secret_digest', name=op.f('uq_user_activations_secret_digest'))
    )
    with op.batch_alter_table('user_activations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_activations_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')

    with op.batch_alter_table('user_activations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_activations_user_id'))

    op.drop_table('user_activations')
