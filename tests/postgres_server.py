"""A throwaway PostgreSQL server on loopback, from Debian's binaries, started in the background.

``initdb`` takes a second or two of another process's time, so the server is started when the
session's tests are collected (if any test needs it) and the tests go on meanwhile on the other core.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def _as_postgres(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root; as root, run it as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


class PostgresServer:
    def __init__(self) -> None:
        self.bindir = _postgres_bin()
        self.data = Path(tempfile.gettempdir()) / f"catalogue-pg-{os.getpid()}"
        self.process: subprocess.Popen | None = None
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]

    def start(self) -> None:
        """Begin initdb and start; returns at once."""
        if self.bindir is None:
            return
        self.data.mkdir()
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.data, user.pw_uid, user.pw_gid)
        db, log = self.data / "db", self.data / "log"
        initdb = [str(self.bindir / "initdb"), "-D", str(db), "-A", "trust", "-U", "catalogue", "--no-sync"]
        options = f"-h 127.0.0.1 -p {self.port} -k {self.data} -c fsync=off"
        start = [str(self.bindir / "pg_ctl"), "-D", str(db), "-w", "-l", str(log), "-o", options, "start"]
        script = " && ".join(" ".join(f"'{part}'" for part in _as_postgres(command)) for command in (initdb, start))
        self.process = subprocess.Popen(["sh", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def url(self) -> str:
        """Waits until the server accepts connections; fails with what PostgreSQL said if it cannot start."""
        if self.bindir is None:
            raise RuntimeError("PostgreSQL is missing: `make test` installs Debian's postgresql")
        if self.process is None:
            self.start()
        assert self.process is not None
        output, _ = self.process.communicate(timeout=120)
        if self.process.returncode != 0:
            raise RuntimeError(f"PostgreSQL did not start:\n{output.decode(errors='replace')}")
        return f"postgresql+psycopg://catalogue@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        """Stop the server and remove its files; a second call does nothing."""
        if self.process is not None and self.bindir is not None:
            self.process.wait(timeout=120)
            stop = [str(self.bindir / "pg_ctl"), "-D", str(self.data / "db"), "-m", "fast", "stop"]
            subprocess.run(_as_postgres(stop), capture_output=True)
            self.process = None
        shutil.rmtree(self.data, ignore_errors=True)
