"""The voting token as a credential: what the database keeps of it is of no use to a reader.

A token row keeps a random nonce and the SHA-256 of its token, never the token. The token is
derived from the nonce with a key the database never holds (`token_key`: TOKEN_KEY, or one
derived from SECRET_KEY):

    token = base64url(HMAC-SHA256(key, "ballot-token:" ‖ nonce)[:24])     32 characters

so the union's slips, CSV and API list recompute it whenever they are asked for, a member's
link is looked up by its digest (`token_digest`, unique in the table), and someone who reads
the table has a nonce without the key and a one-way digest of 192 random-looking bits:
neither opens `/e/…`.

Tokens issued before this scheme (random values once stored as they are) keep voting by their
digest; the migration that removed them kept each one sealed under the same key
(`seal`/`unseal`: XOR with an HMAC-SHA256 keystream over the row's own nonce), so their slips
can be reprinted too. Printing checks each recomputed token against its digest (`reveal`):
with another key it refuses rather than print links that would not work.

Stdlib only, no app imports: the benchmark and the city generator use it as the app does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from typing import Any

TOKEN_BYTES = 24  # 192 bits, 32 URL-safe characters: the links' length since the start
NONCE_BYTES = 16
MAX_TOKEN_LENGTH = 64  # the longest token ever issued; anything longer was never a link
KEY_LABEL = b"zhigongzhijia ballot tokens v1"
_DERIVE = b"ballot-token:"
_SEAL = b"ballot-token-seal:"


def token_key(config: Mapping[str, Any]) -> bytes:
    """The key tokens are derived from: TOKEN_KEY when set, else one derived from SECRET_KEY.

    Labelled with HMAC so it is never the raw SECRET_KEY the sessions are signed with.
    """
    material = str(config.get("TOKEN_KEY") or config["SECRET_KEY"])
    return hmac.digest(material.encode(), KEY_LABEL, "sha256")


def new_nonce() -> str:
    """A fresh random nonce for one token row, as its hex text."""
    return secrets.token_hex(NONCE_BYTES)


def derive_token(key: bytes, nonce: str) -> str:
    """The token of the row holding `nonce` (hex), under `key`."""
    mac = hmac.digest(key, _DERIVE + bytes.fromhex(nonce), "sha256")
    return base64.urlsafe_b64encode(mac[:TOKEN_BYTES]).decode("ascii")


def token_digest(token: str) -> str:
    """What the row keeps to find a token by: its SHA-256, hex (any text, never an error)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _keystream(key: bytes, nonce: str, length: int) -> bytes:
    raw = bytes.fromhex(nonce)
    blocks = (hmac.digest(key, _SEAL + raw + bytes([i]), "sha256") for i in range(-(-length // 32)))
    return b"".join(blocks)[:length]


def _xor(key: bytes, nonce: str, data: bytes) -> bytes:
    stream = _keystream(key, nonce, len(data))
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(data), "big")


def seal(key: bytes, nonce: str, token: str) -> str:
    """A token that cannot be derived (issued before the scheme), kept under `key` (hex)."""
    return _xor(key, nonce, token.encode()).hex()


def unseal(key: bytes, nonce: str, sealed: str) -> str:
    """The token `seal` kept; with another key, text that fails its digest."""
    return _xor(key, nonce, bytes.fromhex(sealed)).decode("utf-8", "replace")


def token_from(key: bytes, nonce: str, sealed: str | None) -> str:
    """A row's token as `key` recomputes it (derived, or unsealed for the older ones)."""
    return unseal(key, nonce, sealed) if sealed else derive_token(key, nonce)


def reveal(key: bytes, nonce: str, sealed: str | None, digest: str) -> str | None:
    """The row's token, or None when `key` is not the one it was issued under."""
    token = token_from(key, nonce, sealed)
    return token if hmac.compare_digest(token_digest(token), digest) else None


def issue(key: bytes) -> tuple[str, str]:
    """(nonce, digest) of a new token: the row to store; the token is `derive_token`'s."""
    nonce = new_nonce()
    return nonce, token_digest(derive_token(key, nonce))
