"""`engram serve --workers N` hands its workers a listening socket marked as TCP, so asyncio turns Nagle's
algorithm off on every accepted connection; uvicorn's own socket (protocol 0) leaves it on, which held
each response behind the client's delayed ACK (40-200 ms for a request following another)."""

from __future__ import annotations

import asyncio
import socket

from engram.cli.serve import _tcp_socket


def nodelay_of_accepted(listening: socket.socket) -> int:
    """TCP_NODELAY of a connection an asyncio server accepted on `listening`."""

    async def main() -> int:
        accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(on_connect, sock=listening)
        async with server:
            _, writer = await asyncio.open_connection(*listening.getsockname()[:2])
            value = await asyncio.wait_for(accepted, 10)
            writer.close()
            return value

    return asyncio.run(main())


def bound(family: socket.AddressFamily = socket.AF_INET) -> socket.socket:
    sock = socket.socket(family=family)  # as uvicorn.Config.bind_socket makes it
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def test_accepted_connections_send_without_delay() -> None:
    assert nodelay_of_accepted(_tcp_socket(bound())) != 0


def test_uvicorns_own_socket_would_leave_nagle_on() -> None:
    # Why _tcp_socket exists; if asyncio or uvicorn change this, the workaround can go.
    assert nodelay_of_accepted(bound()) == 0


def test_unix_sockets_are_left_alone() -> None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        assert _tcp_socket(sock) is sock
    finally:
        sock.close()
