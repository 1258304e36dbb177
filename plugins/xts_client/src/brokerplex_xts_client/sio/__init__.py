"""Socket.IO 2 over Engine.IO 3 (the protocol XTS speaks), WebSocket transport, on ``websockets``.

python-socketio 5 cannot talk to XTS (it speaks Engine.IO 4) and 4.x is unmaintained, so this is
our own small layer. Three modules; import the one you need (``server`` needs starlette, the
simulator extra; importing this package loads neither websockets nor starlette):

``protocol`` — pure packets, no I/O
    ``encode_eio/decode_eio(EioPacket(EioType, data))``, ``Handshake(sid, ping_interval,
    ping_timeout, upgrades).encode()/.decode()`` (seconds; the wire has ms),
    ``encode_sio/decode_sio(SioPacket(SioType, namespace="/", data=None, ack_id=None))``,
    ``event_packet(name, *args, namespace="/")``, ``encode_message(sio_packet)`` (the whole
    frame, ``42[...]``), ``Message(namespace, name, args, ack_id)`` with ``.data`` (the single
    argument). Errors: ``SocketProtocolError`` (a ProtocolError: malformed frame, binary packets),
    ``ConnectionLost`` (a BrokerError: dead or dropped connection; ``PongTimeout`` when a ping
    went unanswered), ``ConnectionRefused`` (a
    RefusedError: the server said no). Encoding bad input raises InputError.

``client`` — asyncio client::

    from brokerplex_xts_client.sio.client import connect
    client = await connect("http://127.0.0.1:8000", path="/apimarketdata/socket.io",
                           query={"token": t, "userID": u, "publishFormat": "JSON",
                                  "broadcastMode": "Full"})
    async for event, data in client:          # namespace "/"; data = the event's one argument
        ...
    await client.emit("name", data)           # also namespace="/x"
    await client.close()                      # or: async with await connect(...) as client

    ``connect(url, *, path="/socket.io", query=None, headers=None, namespaces=("/",),
    open_timeout=10.0)`` returns once Engine.IO is open and every namespace joined. Only the
    scheme and host of ``url`` count (http/https/ws/wss). Raises InputError (bad URL),
    UnreachableError (no connection / no handshake), ConnectionRefused (server answered
    ``44…`` or HTTP 401/403), SocketProtocolError. The client pings every pingInterval and
    declares the connection dead when a pong is missing for pingTimeout; ``await
    client.ping(timeout)`` asks for a pong now and drops the connection at once without one.
    ``close()`` waits for the close handshake at most 2 s.
    Iteration ENDS normally when the server disconnects cleanly (``41``, Engine.IO CLOSE,
    WebSocket close 1000/1001) or after ``close()``; it RAISES ``ConnectionLost`` (missed pong,
    dropped TCP, abnormal close), ``SocketProtocolError`` (garbage frame) or
    ``ConnectionRefused``. ``client.close_reason`` says why it ended, ``client.connected``,
    ``client.sid``, ``client.handshake``; ``client.of("/ns")`` is the iterable channel of
    another namespace; ``channel.next_message()`` gives the full ``Message`` (None at the end).
    It never reconnects (the stream does, with core ``Backoff``) and never logs the query.

``server`` — for the simulator (starlette + uvicorn, run uvicorn with ``ws="websockets-sansio"``)::

    from brokerplex_xts_client.sio.server import SocketIOServer, Session
    server = SocketIOServer(authenticate, on_connect, ping_interval=20, ping_timeout=60)
    app = Starlette(routes=[*server.routes("/apimarketdata/socket.io"), ...])
    async def authenticate(query: Mapping[str, str]) -> str | None: ...   # key or None=refuse
    async def on_connect(session: Session) -> None: await session.emit("joined", json_text)
    await server.emit("1501-json-full", json_text, to=user_id)   # to=None: everyone; -> count
    server.connections(user_id)   # [Session]; session.sid/.key/.query/.namespaces/.closed
    await server.disconnect(user_id); await server.close_all()  # the client sees ``41``
    session.answer_pings = False  # fault injection: this connection stops answering pings

    Optional: ``on_disconnect(session)``, ``on_event(session, message) -> ack answer``,
    ``namespaces=("/", "/x")``, ``refusal="Invalid Token"`` (data of the ``44`` refusal).
    ``server.websocket_endpoint(websocket)`` / ``server.polling_endpoint(request)`` can also be
    mounted by hand. The ``server`` module docstring records what xts-api-client 0.1.26 sends.
"""
