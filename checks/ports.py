"""The app's port, and the TCP sockets a container listens on (its /proc/net/tcp and tcp6)."""

from __future__ import annotations

import re
import socket
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the engine reads sockets through this module, and the context reaches the engine
    from .context import Context


def env_values(context: Context) -> dict[str, str]:
    """ENV values of the final stage, as far as they are literal (`ENV PORT=4000`, `ENV PORT 4000`)."""
    values = {}
    for instruction in context.dockerfile.in_final_stage("ENV"):
        text = instruction.arguments
        pairs = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|'[^']*'|\S+)", text)
        if pairs:
            values.update({name: value.strip("\"'") for name, value in pairs})
        else:
            name, _, value = text.partition(" ")
            values[name.strip()] = value.strip().strip("\"'")
    return values


def app_port(context: Context) -> int:
    """The port bin/run_dev.sh listens on: PORT when the Dockerfile sets it, else the course's (4000)."""
    value = env_values(context).get("PORT", "")
    return int(value) if value.isdigit() else context.course.port


def listening_sockets(proc_net_tcp: str) -> list[tuple[str, int]]:
    """(address, port) of every listening socket in the text of /proc/net/tcp and /proc/net/tcp6."""
    sockets = []
    for line in proc_net_tcp.splitlines():
        fields = line.split()
        if len(fields) < 4 or fields[3] != "0A" or ":" not in fields[1]:  # 0A: LISTEN
            continue
        address, port = fields[1].split(":")
        sockets.append((socket_address(address), int(port, 16)))
    return sockets


def socket_address(hex_address: str) -> str:
    """The address of a /proc/net/tcp(6) entry (`0100007F` -> 127.0.0.1, 32 zeros -> ::)."""
    raw = bytes.fromhex(hex_address)
    if len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, raw[::-1])
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
    return socket.inet_ntop(socket.AF_INET6, words)
