"""ballot tokens: a digest and a nonce, never the token

Revision ID: b7dacc799a47
Revises: 34a0875911cb
Create Date: 2026-12-02 07:52:58.705522

Each existing token keeps voting: its row gets the token's SHA-256 (what a link is now looked
up by), a random nonce, and the token sealed under the server's token key (TOKEN_KEY, else
one derived from SECRET_KEY: run `flask db upgrade` with the production settings), so its
slips can be reprinted. The plaintext column goes. The downgrade puts the plaintext back,
recomputed with the same key, and refuses if the key is not the one the rows were sealed or
derived under.

The scheme is frozen here as it was at this revision (app/evaluation/credentials.py), so a
later change to the app cannot change what this migration did.
"""
import base64
import hashlib
import hmac
import secrets

from alembic import op
from flask import current_app
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7dacc799a47'
down_revision = '34a0875911cb'
branch_labels = None
depends_on = None

CHUNK = 2_000  # rows per statement: 4 parameters each, within SQLite's and PostgreSQL's limits
KEY_LABEL = b"zhigongzhijia ballot tokens v1"


def _key():
    config = current_app.config
    material = str(config.get("TOKEN_KEY") or config["SECRET_KEY"])
    return hmac.new(material.encode(), KEY_LABEL, hashlib.sha256).digest()


def _digest(token):
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _xor(key, nonce, data):
    raw = bytes.fromhex(nonce)
    stream = b"".join(
        hmac.new(key, b"ballot-token-seal:" + raw + bytes([i]), hashlib.sha256).digest()
        for i in range(-(-len(data) // 32))
    )
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream[: len(data)], "big")).to_bytes(
        len(data), "big"
    )


def _token(key, nonce, sealed):
    if sealed:
        return _xor(key, nonce, bytes.fromhex(sealed)).decode("utf-8", "replace")
    mac = hmac.new(key, b"ballot-token:" + bytes.fromhex(nonce), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:24]).decode("ascii")


def _chunks(conn, columns):
    """The rows of ballot_tokens in id order, CHUNK at a time."""
    last = 0
    while True:
        rows = conn.execute(
            sa.text(
                f"SELECT id, {columns} FROM ballot_tokens WHERE id > :last ORDER BY id LIMIT :n"
            ),
            {"last": last, "n": CHUNK},
        ).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _update(conn, columns, params):
    """One UPDATE … FROM (VALUES …) per chunk: row by row would take minutes at city scale.
    `params` are tuples (id, value of each column); VALUES names its columns column1, column2 …
    on both PostgreSQL and SQLite."""
    names = ("id", *columns)
    values = ", ".join(
        "(" + ", ".join(f":{name}{i}" for name in names) + ")" for i in range(len(params))
    )
    sets = ", ".join(f"{name} = v.column{i}" for i, name in enumerate(columns, start=2))
    conn.execute(
        sa.text(
            f"UPDATE ballot_tokens SET {sets} FROM (VALUES {values}) AS v"
            " WHERE ballot_tokens.id = v.column1"
        ),
        {f"{name}{i}": value for i, row in enumerate(params) for name, value in zip(names, row)},
    )


def upgrade():
    with op.batch_alter_table('ballot_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('nonce', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('sealed', sa.String(length=128), nullable=True))
        # First, so the updates below have one index fewer to maintain.
        batch_op.drop_constraint(batch_op.f('uq_ballot_tokens_token'), type_='unique')

    conn = op.get_bind()
    key = _key()
    for rows in _chunks(conn, "token"):
        params = []
        for row_id, token in rows:
            nonce = secrets.token_hex(16)
            params.append((row_id, _digest(token), nonce, _xor(key, nonce, token.encode()).hex()))
        _update(conn, ("token_hash", "nonce", "sealed"), params)

    with op.batch_alter_table('ballot_tokens', schema=None) as batch_op:
        batch_op.alter_column('token_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('nonce', existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_ballot_tokens_token_hash'), ['token_hash'])
        batch_op.drop_column('token')


def downgrade():
    with op.batch_alter_table('ballot_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token', sa.VARCHAR(length=64), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_ballot_tokens_token_hash'), type_='unique')

    conn = op.get_bind()
    key = _key()
    for rows in _chunks(conn, "nonce, sealed, token_hash"):
        params = []
        for row_id, nonce, sealed, digest in rows:
            token = _token(key, nonce, sealed)
            if not hmac.compare_digest(_digest(token), digest):
                raise RuntimeError(
                    "ballot_tokens: the token key (TOKEN_KEY or SECRET_KEY) is not the one "
                    "the tokens were issued under; they cannot be written back in plaintext"
                )
            params.append((row_id, token))
        _update(conn, ("token",), params)

    with op.batch_alter_table('ballot_tokens', schema=None) as batch_op:
        batch_op.alter_column('token', existing_type=sa.VARCHAR(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_ballot_tokens_token'), ['token'])
        batch_op.drop_column('sealed')
        batch_op.drop_column('nonce')
        batch_op.drop_column('token_hash')
