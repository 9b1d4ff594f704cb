"""A throwaway three-node Redis Cluster on loopback, for the store's `redis+cluster://` tests.

Three `redis-server --cluster-enabled yes` nodes on free ports (bus ports chosen explicitly:
a free port + 10000 may not exist), joined by `redis-cli --cluster create`, no replicas.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from tests.servers import free_port

NODES = 3
NODE_TIMEOUT_MS = 5000  # cluster-node-timeout: how long a node may be silent before it is failed
START_TIMEOUT = 20.0  # s for each node to answer PING, and again for the cluster to be "ok"
CREATE_TIMEOUT = 30.0  # s for `redis-cli --cluster create` to assign the slots
STOP_TIMEOUT = 10.0  # s a node gets to exit on SIGTERM before it is killed


def missing() -> list[str]:
    """The programs a cluster needs that are not on PATH."""
    return [name for name in ("redis-server", "redis-cli") if shutil.which(name) is None]


def _cli(port: int, *args: str, timeout: float = START_TIMEOUT) -> str:
    done = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(port), *args],
                          capture_output=True, text=True, timeout=timeout, check=False)
    return done.stdout


def _wait(what: str, ready: Callable[[], bool], log: Path,
          proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not ready():
        if time.monotonic() > deadline or (proc is not None and proc.poll() is not None):
            raise RuntimeError(f"redis cluster: {what} not in {START_TIMEOUT:g} s (or it exited)\n"
                               f"{log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.05)


def start_cluster(tmp: Path) -> tuple[str, Callable[[], None]]:
    """Start and join the nodes; (`redis+cluster://127.0.0.1:PORT` of one node, stop)."""
    ports, procs = [free_port() for _ in range(NODES)], []
    log = tmp / "redis-cluster.log"

    def stop() -> None:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(STOP_TIMEOUT)

    try:
        with log.open("ab") as out:
            for port in ports:
                workdir = tmp / f"node-{port}"
                workdir.mkdir(parents=True)
                procs.append(subprocess.Popen(
                    ["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                     "--cluster-enabled", "yes", "--cluster-port", str(free_port()),
                     "--cluster-config-file", "nodes.conf",
                     "--cluster-node-timeout", str(NODE_TIMEOUT_MS),
                     "--save", "", "--appendonly", "no", "--dir", str(workdir)],
                    stdout=out, stderr=subprocess.STDOUT))
        for port, proc in zip(ports, procs, strict=True):  # each node itself, not a server of
            # another process that took the port first (then the start fails and is tried again)
            _wait(f"node {port} answering",
                  lambda p=port, proc=proc: f"process_id:{proc.pid}" in _cli(p, "INFO", "server"),
                  log, proc)
        nodes = [f"127.0.0.1:{port}" for port in ports]
        created = subprocess.run(["redis-cli", "--cluster", "create", *nodes,
                                  "--cluster-replicas", "0", "--cluster-yes"],
                                 capture_output=True, text=True, timeout=CREATE_TIMEOUT,
                                 check=False)
        if created.returncode != 0:
            raise RuntimeError(f"redis-cli --cluster create failed:\n{created.stdout[-2000:]}"
                               f"{created.stderr[-2000:]}")
        for port in ports:
            _wait(f"node {port} cluster_state:ok",
                  lambda p=port: "cluster_state:ok" in _cli(p, "CLUSTER", "INFO"), log)
    except BaseException:
        stop()
        raise
    return f"redis+cluster://127.0.0.1:{ports[0]}", stop
