"""A real OpenID Connect provider for the tests: panva's oidc-provider on this machine's
Node.js (tests/oidc/), installed from its lock file on first use, started on a free port."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

OIDC_DIR = Path(__file__).parent / "oidc"
CLIENT_ID, CLIENT_SECRET = "zgzj-test", "zgzj-test-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _installed() -> None:
    if (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    if not npm or not shutil.which("node"):
        pytest.fail("single sign-on tests need Node.js and npm (tests/oidc)")
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=OIDC_DIR,
        check=True,
        timeout=300,
    )


@contextmanager
def oidc_provider(port: int, redirect_uri: str, accounts: dict[str, Any]) -> Iterator[str]:
    """The provider at http://127.0.0.1:`port`, knowing our client and `accounts` (login
    name → claims); yields its issuer URL."""
    _installed()
    env = {
        **os.environ,
        "PORT": str(port),
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "REDIRECT_URI": redirect_uri,
        "ACCOUNTS": json.dumps(accounts),
    }
    process = subprocess.Popen(
        ["node", "provider.mjs"],
        cwd=OIDC_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("ready"), f"the provider did not start: {line!r}"
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)
