"""`checks classroom serve`: start the board under uvicorn and tell the instructor how to use it."""

from __future__ import annotations

import gc
import socket
from datetime import timedelta
from pathlib import Path


class ServeProblem(Exception):
    """The board cannot start: a message for the instructor (exit 2)."""


def lan_address() -> str:
    """This machine's address on the local network, as the learners' laptops see it (best guess)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # a documentation address: nothing is sent, it only picks the route
            return probe.getsockname()[0]
        except OSError:
            return socket.gethostname()


def listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        if error.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
            raise ServeProblem(f"port {port} on {host} is already in use: choose another with --port") from None
        raise ServeProblem(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    sock.listen(2048)  # a whole room reporting at once must not be turned away by a short backlog
    return sock


def serve(host: str, port: int, db: str, stuck_minutes: float, catalogue) -> int:
    try:
        import uvicorn

        from .server import Board, make_app
    except ImportError as missing:
        raise ServeProblem(
            f"the board needs the classroom extra ({missing.name} is missing): "
            "in a clone of the course, pip install '.[classroom]'"
        ) from None
    import sqlite3

    from .store import Store, StoreProblem, is_url, redacted

    try:
        store = Store(db)
        code, key = store.join_code, store.instructor_key
        learners, reports = store.counts()
    except StoreProblem as problem:
        raise ServeProblem(str(problem)) from None
    except sqlite3.DatabaseError as error:
        raise ServeProblem(f"{db} cannot be used as the board's store: {error}") from None
    sock = listen(host, port)
    port = sock.getsockname()[1]
    everywhere = host in ("0.0.0.0", "::", "")
    shown = lan_address() if everywhere else host
    shown = f"[{shown}]" if ":" in shown else shown
    local = "127.0.0.1" if everywhere or host.startswith("127.") else shown
    print(f"Progress board for {catalogue.course.title}", flush=True)
    where = redacted(str(db)) if is_url(db) else Path(db).resolve()
    print(f"Store: {where} ({learners} learners, {reports} reports so far)", flush=True)
    print("\nLearners join from their workspace with:", flush=True)
    print(f'    checks join http://{shown}:{port} --code {code} --name "Their Name"', flush=True)
    print("\nYour board (keep this address private: it holds your instructor key):", flush=True)
    print(f"    http://{local}:{port}/board?key={key}", flush=True)
    if host.startswith("127.") or host in ("localhost", "::1"):
        print("\nOnly this machine can reach the board: start it with --host 0.0.0.0 to let the room in.", flush=True)
    print("Stop with Ctrl-C; start again with the same --db to carry on where you were.", flush=True)
    board = Board(store, catalogue, stuck_after=timedelta(minutes=stuck_minutes), public_url=f"http://{shown}:{port}")
    # proxy_headers off: the rate limits count the address that connects, which a header cannot change
    config = uvicorn.Config(
        make_app(board),
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
        server_header=False,
        proxy_headers=False,
    )
    # collecting garbage took 20 to 35 % of the CPU time of a room's burst of reports: what is loaded by now
    # lives as long as the board, so it leaves the collector's sight, and the young generation is
    # collected every 10,000 new objects, not 700, so that the objects of requests still in flight are
    # not promoted and walked again and again (bench/classroom.py: 150-250 ms of collections per run
    # became 35-55 ms)
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn stops on Ctrl-C, then raises it again: the board's words, not a grading's
        pass
    finally:
        sock.close()
        store.close()
    print(f"\nBoard stopped. Learners and results are kept in {where}: start it again with the same --db to carry on.")
    print("Learners' results meanwhile wait in their workspaces and are sent when it answers again.", flush=True)
    return 0
