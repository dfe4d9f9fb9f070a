"""The production server: waitress, set up so that slow or idle clients cannot lock others out.

waitress's defaults let 100 sockets that each send a header line every few seconds hold every
connection slot (100) for ever: its idle timeout restarts on each byte. Here:

- ``connection_limit`` (default 1,000) slots: an open socket costs waitress a few kilobytes, not a
  thread (threads only run complete requests), and the process's open-file limit is raised to fit;
- ``header_timeout`` (default 10 s): a connection that has not sent a whole request's headers
  and body within this many seconds of its first byte (or of opening) is closed, however
  steadily it trickles;
- ``channel_timeout`` (default 30 s): an idle keep-alive connection is closed after this long;
- ``max_request_header_size`` 64 KB (a search's parameters are limited far below that, see
  ``index.model``), and waitress checks its timeouts every second instead of every 30.

A public deployment still belongs behind a reverse proxy that buffers requests; these settings
keep a directly exposed server answering.
"""

from __future__ import annotations

import resource
import socket
import time
from dataclasses import dataclass
from typing import Any

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher


@dataclass(frozen=True)
class ServerSettings:
    threads: int = 8
    connection_limit: int = 1000
    header_timeout: float = 10.0
    channel_timeout: int = 30
    max_request_header_size: int = 65_536
    #: seconds between two checks of the timeouts
    cleanup_interval: int = 1


class TimedChannel(HTTPChannel):
    """An ``HTTPChannel`` that remembers since when it has been waiting for a whole request."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.waiting_since: float | None = time.monotonic()

    def received(self, data: bytes) -> bool:
        if self.request is None and self.waiting_since is None:
            self.waiting_since = time.monotonic()
        result = super().received(data)
        if self.request is None:  # nothing half-received is left
            self.waiting_since = None
        return result


class GuardedServer(TcpWSGIServer):
    """waitress's TCP server that also closes connections slower than ``header_timeout``."""

    channel_class = TimedChannel
    header_timeout = ServerSettings.header_timeout

    def maintenance(self, now: float) -> None:
        super().maintenance(now)
        cutoff = time.monotonic() - self.header_timeout
        for channel in list(self.active_channels.values()):
            since = getattr(channel, "waiting_since", None)
            if since is not None and since < cutoff and not channel.requests:
                channel.will_close = True


def create_server(app: Any, sock: socket.socket, settings: ServerSettings) -> GuardedServer:
    """A waitress server for ``app`` on an already bound socket."""
    raise_open_file_limit(settings.connection_limit + 256)
    adj = Adjustments(
        sockets=[sock], threads=settings.threads, ident="newsarchive",
        connection_limit=settings.connection_limit, channel_timeout=settings.channel_timeout,
        cleanup_interval=settings.cleanup_interval,
        max_request_header_size=settings.max_request_header_size,
    )
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    server = GuardedServer(app, {}, True, sock, dispatcher=dispatcher, adj=adj, bind_socket=False,
                           sockinfo=(sock.family, sock.type, sock.proto, sock.getsockname()))
    server.header_timeout = settings.header_timeout
    return server


def raise_open_file_limit(wanted: int) -> None:
    """Raise the soft limit on open files towards ``wanted`` (never above the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            pass
