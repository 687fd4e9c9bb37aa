"""A throwaway PostgreSQL server for the shared-archive tests and benchmarks.

Debian's `postgresql` package (`initdb`, `pg_ctl`) in a temporary directory, run as an
unprivileged user (PostgreSQL refuses to run as root), listening on 127.0.0.1 with trust
authentication. `available()` says why it cannot start, so tests can skip with that reason.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(os.path.realpath(pg_ctl)).parent if pg_ctl else None


def _run_as() -> str | None:
    """The unprivileged account to run the server as, when we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    return None


def available() -> str | None:
    """None when a server can be started here, else why not (one line)."""
    if _bin_dir() is None:
        return "PostgreSQL is not installed (Debian package `postgresql`: initdb and pg_ctl not found)"
    if os.geteuid() == 0 and _run_as() is None:
        return "running as root and no unprivileged account (postgres, nobody) to run PostgreSQL as"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root or tempfile.mkdtemp(prefix="wirewatch-pg-"))
        self.data = self.root / "pgdata"
        self.port = _free_port()
        self.user = _run_as()
        self.bin = _bin_dir()

    def _cmd(self, *args: str) -> list[str]:
        cmd = [str(self.bin / args[0]), *args[1:]]
        return ["runuser", "-u", self.user, "--", *cmd] if self.user else cmd

    def start(self) -> "PostgresServer":
        reason = available()
        if reason:
            raise RuntimeError(reason)
        self.root.mkdir(parents=True, exist_ok=True)
        if self.user:
            info = pwd.getpwnam(self.user)
            os.chown(self.root, info.pw_uid, info.pw_gid)
            os.chmod(self.root, 0o700)
        subprocess.run(self._cmd("initdb", "-D", str(self.data), "-A", "trust", "-U", "wirewatch", "-E", "UTF8",
                                 "--no-sync"), check=True, capture_output=True)
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\nunix_socket_directories = '{self.root}'\n"
                       "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\n")
        subprocess.run(self._cmd("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-t", "60",
                                 "start"), check=True, capture_output=True)
        self._wait()
        return self

    def _wait(self) -> None:
        import psycopg
        deadline = time.monotonic() + 30
        while True:
            try:
                psycopg.connect(self.dsn("postgres"), connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def dsn(self, dbname: str = "postgres") -> str:
        return f"postgresql://wirewatch@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        import psycopg
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return self.dsn(name)

    def stop(self) -> None:
        subprocess.run(self._cmd("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop"), capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "PostgresServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
