"""A throw-away PostgreSQL server of our own (initdb into a temp dir, own port) that tests may stop and start.

Fault tests restart THIS server, never the machine's shared cluster that other tests use.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PG_BIN = Path("/usr/lib/postgresql/15/bin")


def pg_available() -> str | None:
    """Why a private PostgreSQL cannot be started here, or None when it can."""
    if not (PG_BIN / "initdb").exists():
        return f"PostgreSQL server binaries not found in {PG_BIN}"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser: cannot start PostgreSQL as the postgres user"
    return None


def _as_pg_user(cmd: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; on CI (root) run it as the postgres system user.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgInstance:
    """A running private PostgreSQL: its data directory, port and control commands."""

    datadir: Path
    port: int

    @property
    def admin_url(self) -> str:
        """URL of the `postgres` database on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        """URL of a database on this server."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            _as_pg_user([str(PG_BIN / "pg_ctl"), "-D", str(self.datadir), "-w", "-t", "60", *args]),
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = (
            f"-p {self.port} -k {self.datadir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._ctl("-o", options, "-l", str(self.datadir / "server.log"), "start")

    def stop(self) -> None:
        """Stop the server (fast: open connections are cut, as in a crash or a restart)."""
        self._ctl("-m", "fast", "stop")

    def create_database(self, name: str) -> str:
        """Create a database and return its URL."""
        subprocess.run(
            _as_pg_user(
                [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name]
            ),
            check=True,
            capture_output=True,
        )
        return self.url(name)


@contextmanager
def private_postgres() -> Iterator[PgInstance]:
    """initdb a new cluster in a temp dir, start it on a free port, and remove it afterwards."""
    root = Path(tempfile.mkdtemp(prefix="asb-pg-"))
    datadir = root / "data"
    datadir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(datadir, "postgres", "postgres")
    subprocess.run(
        _as_pg_user(
            [str(PG_BIN / "initdb"), "-D", str(datadir), "-A", "trust", "-U", "postgres", "-E", "UTF8"]
        ),
        check=True,
        capture_output=True,
    )
    instance = PgInstance(datadir=datadir, port=_free_port())
    instance.start()
    try:
        yield instance
    finally:
        try:
            instance.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped by the test
        deadline = time.time() + 5
        while time.time() < deadline:
            try:
                shutil.rmtree(root)
                break
            except OSError:
                time.sleep(0.2)
