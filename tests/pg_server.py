"""A throwaway PostgreSQL + PostGIS server for tests and benchmarks.

``initdb`` and ``pg_ctl`` from the Debian PostgreSQL binaries, a data folder
in a temporary directory, listening on 127.0.0.1 only at a free port, trust
authentication for local users. As root the server runs as the ``postgres``
user (``initdb`` refuses root). :func:`stop` removes everything.
"""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BIN_DIRS = ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin")


@dataclass
class Server:
    """A running server: its URL (database ``infrasite``), folder and binaries."""

    url: str
    folder: Path
    bindir: Path
    as_postgres: bool


def _bindir() -> Path:
    env = os.environ.get("INFRASITE_PG_BIN")
    for candidate in (env, *BIN_DIRS):
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    msg = (
        "PostgreSQL server binaries (initdb, pg_ctl) were not found: install the Debian packages "
        "postgresql and postgis (.ci/run does), or set INFRASITE_PG_BIN"
    )
    raise RuntimeError(msg)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(args: list[str], *, as_postgres: bool) -> subprocess.CompletedProcess[str]:
    if as_postgres:
        args = ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(args)]
    return subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)


def start() -> Server:
    """Start a server and create the database ``infrasite`` with PostGIS available."""
    bindir = _bindir()
    as_postgres = os.geteuid() == 0
    folder = Path(tempfile.mkdtemp(prefix="infrasite-pg-"))
    data = folder / "data"
    if as_postgres:
        shutil.chown(folder, "postgres", "postgres")
    port = _free_port()
    user = "postgres" if as_postgres else os.environ.get("USER", "postgres")
    steps = [
        [str(bindir / "initdb"), "-D", str(data), "-U", user, "-A", "trust", "-E", "UTF8"],
        [
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(folder / "server.log"),
            "-w",
            "-o",
            f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off",
            "start",
        ],
    ]
    for step in steps:
        done = _run(step, as_postgres=as_postgres)
        if done.returncode != 0:
            log = folder / "server.log"
            extra = log.read_text(errors="replace") if log.exists() else ""
            shutil.rmtree(folder, ignore_errors=True)
            msg = f"{step[0]} failed: {done.stdout}\n{done.stderr}\n{extra}"
            raise RuntimeError(msg)
    server = Server(f"postgresql://{user}@127.0.0.1:{port}/infrasite", folder, bindir, as_postgres)
    import psycopg

    deadline = time.monotonic() + 30
    while True:
        try:
            with psycopg.connect(
                f"postgresql://{user}@127.0.0.1:{port}/postgres", autocommit=True
            ) as con:
                con.execute("CREATE DATABASE infrasite")
            break
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                stop(server)
                raise
            time.sleep(0.2)
    return server


def stop(server: Server) -> None:
    """Stop the server and remove its folder."""
    _run(
        [str(server.bindir / "pg_ctl"), "-D", str(server.folder / "data"), "-m", "fast", "stop"],
        as_postgres=server.as_postgres,
    )
    shutil.rmtree(server.folder, ignore_errors=True)


def fresh_database(server: Server, name: str) -> str:
    """Create an empty database ``name`` on the server; return its URL."""
    import psycopg
    from psycopg import sql

    base = server.url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as con:
        con.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        con.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"{base}/{name}"
