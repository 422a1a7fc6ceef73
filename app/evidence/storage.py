"""Where evidence files live: a small key → bytes store behind one interface.

Keys are generated here (`new_key`), never taken from user input: ``2026/11/<uuid4 hex>``,
plus derived keys such as ``<key>.thumb.jpg`` for cached thumbnails. The database keeps the
key; the original file name is only ever shown, never used as a path.

`LocalStorage` keeps files in a directory outside the web root (by default
``instance/evidence``; setting ``EVIDENCE_STORAGE_DIR``). An S3-compatible store (MinIO,
OSS, COS …) implements the same four methods on a bucket:

* ``save(key, stream)``  → ``put_object(Bucket=b, Key=prefix + key, Body=stream)``
  (or ``upload_fileobj`` for multipart uploads of large files); object writes are atomic,
* ``open(key)``          → ``get_object(Bucket=b, Key=…)["Body"]`` (a readable stream;
  a missing key, ``NoSuchKey``, is raised as ``FileNotFoundError``),
* ``delete(key)``        → ``delete_object(Bucket=b, Key=…)`` (no error if absent),
* ``exists(key)``        → ``head_object`` (404 → False).

Install one with ``init_app(app, storage=MyS3Storage(...))``; otherwise `get_storage`
creates a `LocalStorage` from the app's configuration on first use.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import uuid
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

from flask import Flask, current_app

from app.timeutil import utcnow

EXTENSION_KEY = "evidence_storage"

# Generated keys only: ASCII letters, digits, '.', '_', '-', separated by '/'.
_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")
_CHUNK = 1024 * 1024


class InvalidKey(ValueError):
    """A key that is not one we generate, or that would leave the storage root."""


@runtime_checkable
class EvidenceStorage(Protocol):
    """A flat store of immutable objects addressed by generated keys."""

    def save(self, key: str, stream: BinaryIO) -> None:
        """Store the stream's bytes (read from its current position) under `key`.

        Either the whole object is stored or nothing is: readers never see a partial file.
        """

    def open(self, key: str) -> BinaryIO:
        """A readable binary file object; `FileNotFoundError` if there is no such key."""

    def delete(self, key: str) -> None:
        """Remove the object; no error if it does not exist."""

    def exists(self, key: str) -> bool:
        """Whether an object is stored under `key`."""


def new_key(now: datetime | None = None) -> str:
    """A fresh, unguessable key: ``YYYY/MM/<uuid4 hex>`` (no user text in it)."""
    now = now or utcnow()
    return f"{now:%Y}/{now:%m}/{uuid.uuid4().hex}"


def check_key(key: str) -> str:
    if not isinstance(key, str) or len(key) > 200 or not _KEY_RE.match(key):
        raise InvalidKey(f"invalid storage key: {key!r}")
    if any(part in {".", ".."} for part in key.split("/")):
        raise InvalidKey(f"invalid storage key: {key!r}")
    return key


class LocalStorage:
    """Files under `root`, one per key; writes go to a temporary file, then are renamed."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    def path(self, key: str) -> Path:
        """The file of `key`; refuses any key that is malformed or resolves outside root."""
        check_key(key)
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root) or path == self.root:
            raise InvalidKey(f"storage key leaves the storage root: {key!r}")
        return path

    def save(self, key: str, stream: BinaryIO) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".upload-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as tmp:
                shutil.copyfileobj(stream, tmp, _CHUNK)
                tmp.flush()
                os.fsync(tmp.fileno())
            os.chmod(tmp_name, 0o640)
            os.replace(tmp_name, path)
        except BaseException:
            try:
                os.unlink(tmp_name)
            except FileNotFoundError:
                pass
            raise

    def open(self, key: str) -> BinaryIO:
        return self.path(key).open("rb")

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()


class _Configured:
    """The app's storage, with the directory it was built from (None: installed explicitly)."""

    def __init__(self, storage: EvidenceStorage, source: str | None) -> None:
        self.storage = storage
        self.source = source


def init_app(app: Flask, storage: EvidenceStorage | None = None) -> None:
    """Install `storage` (e.g. an S3-compatible one) or a LocalStorage from the config."""
    if storage is not None:
        app.extensions[EXTENSION_KEY] = _Configured(storage, None)
        return
    source = str(app.config["EVIDENCE_STORAGE_DIR"])
    app.extensions[EXTENSION_KEY] = _Configured(LocalStorage(source), source)


def get_storage() -> EvidenceStorage:
    """The current app's evidence storage, created on first use.

    A LocalStorage built from the config follows later changes of EVIDENCE_STORAGE_DIR
    (tests point it at a temporary directory); an explicitly installed store stays.
    """
    app = current_app
    configured: _Configured | None = app.extensions.get(EXTENSION_KEY)
    if configured is None or (
        configured.source is not None
        and configured.source != str(app.config["EVIDENCE_STORAGE_DIR"])
    ):
        init_app(app)
        configured = app.extensions[EXTENSION_KEY]
    return configured.storage
