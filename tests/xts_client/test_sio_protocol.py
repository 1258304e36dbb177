"""Engine.IO 3 / Socket.IO 2 packets: wire examples, round trips, and garbage in → SocketProtocolError."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brokerplex.errors import InputError, ProtocolError
from brokerplex_xts_client.sio.protocol import (
    EioPacket,
    EioType,
    Handshake,
    Message,
    SioPacket,
    SioType,
    SocketProtocolError,
    decode_eio,
    decode_sio,
    encode_eio,
    encode_message,
    encode_sio,
    event_packet,
    message_of,
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=12,
)
namespaces = st.just("/") | st.from_regex(r"/[a-z][a-z0-9_/-]{0,11}", fullmatch=True)
ack_ids = st.none() | st.integers(min_value=0, max_value=2**31)
# No deadline: other suites share this machine, and a slow example is not a wrong one.
quick = settings(max_examples=60, deadline=None)


def test_wire_examples_decode_to_what_xts_means() -> None:
    joined = '42["joined","{\\"type\\":\\"success\\",\\"code\\":\\"s-socket-0001\\"}"]'
    frame = decode_eio(joined)
    assert frame == EioPacket(EioType.MESSAGE, joined[1:])
    message = message_of(decode_sio(frame.data))
    assert message == Message("/", "joined", ('{"type":"success","code":"s-socket-0001"}',))
    assert json.loads(message.data)["code"] == "s-socket-0001"

    assert decode_sio("0") == SioPacket(SioType.CONNECT)
    assert decode_sio('4"Invalid Token"') == SioPacket(SioType.ERROR, "/", "Invalid Token")
    assert decode_sio("0/admin,") == SioPacket(SioType.CONNECT, "/admin")
    assert decode_sio("0/admin?token=x,") == SioPacket(SioType.CONNECT, "/admin")  # v2 clients append the query
    assert decode_sio('2/chat,7["ask",1,{"a":[]}]') == SioPacket(SioType.EVENT, "/chat", ["ask", 1, {"a": []}], 7)
    assert decode_sio("31[]") == SioPacket(SioType.ACK, "/", [], 1)
    assert decode_eio("2probe") == EioPacket(EioType.PING, "probe")
    assert decode_eio("3") == EioPacket(EioType.PONG)


def test_encoding_matches_the_javascript_wire_form() -> None:
    text = '{"x":"é\\u0000"}'
    assert encode_message(event_packet("1501-json-full", text)) == r'42["1501-json-full","{\"x\":\"é\\u0000\"}"]'
    assert encode_sio(SioPacket(SioType.CONNECT, "/admin")) == "0/admin,"
    assert encode_sio(SioPacket(SioType.DISCONNECT)) == "1"
    assert encode_sio(SioPacket(SioType.ACK, "/x", ["ok"], 12)) == '3/x,12["ok"]'
    assert encode_eio(EioPacket(EioType.PONG, "probe")) == "3probe"


def test_handshake_carries_milliseconds_on_the_wire() -> None:
    wire = Handshake("jOF0UlgslsOZKUn_AAAQ", 20.0, 60.0).encode()
    expected = {"sid": "jOF0UlgslsOZKUn_AAAQ", "upgrades": [], "pingInterval": 20000, "pingTimeout": 60000}
    assert json.loads(wire) == expected
    assert Handshake.decode(wire) == Handshake("jOF0UlgslsOZKUn_AAAQ", 20.0, 60.0)


def test_message_data_is_the_single_argument() -> None:
    assert Message("/", "e").data is None
    assert Message("/", "e", ("text",)).data == "text"
    assert Message("/", "e", (1, 2)).data == [1, 2]


@quick
@given(st.sampled_from(EioType), st.text())
def test_engineio_packets_round_trip(kind: EioType, data: str) -> None:
    packet = EioPacket(kind, data)
    assert decode_eio(encode_eio(packet)) == packet


@quick
@given(namespaces, ack_ids, st.text(min_size=1), st.lists(json_values, max_size=3))
def test_events_round_trip(namespace: str, ack_id: int | None, name: str, args: list[Any]) -> None:
    packet = event_packet(name, *args, namespace=namespace, ack_id=ack_id)
    assert decode_sio(encode_sio(packet)) == packet
    assert message_of(decode_sio(encode_sio(packet))) == Message(namespace, name, tuple(args), ack_id)


# A bare number after the type would read as an ack id (the format is ambiguous there); servers send
# text or an object as ERROR data.
error_data = st.text() | st.dictionaries(st.text(), json_values, max_size=3)


@quick
@given(st.sampled_from([SioType.CONNECT, SioType.DISCONNECT, SioType.ERROR]), namespaces, error_data)
def test_control_packets_round_trip(kind: SioType, namespace: str, data: Any) -> None:
    packet = SioPacket(kind, namespace, data if kind is SioType.ERROR else None)
    assert decode_sio(encode_sio(packet)) == packet


@quick
@given(namespaces, st.integers(min_value=0, max_value=10**9), st.lists(json_values, max_size=3))
def test_acks_round_trip(namespace: str, ack_id: int, args: list[Any]) -> None:
    packet = SioPacket(SioType.ACK, namespace, args, ack_id)
    assert decode_sio(encode_sio(packet)) == packet


@quick
@given(st.text(min_size=1, max_size=30), st.integers(1, 10**7), st.integers(1, 10**7), st.lists(st.text(), max_size=2))
def test_handshakes_round_trip(sid: str, interval_ms: int, timeout_ms: int, upgrades: list[str]) -> None:
    handshake = Handshake(sid, interval_ms / 1000, timeout_ms / 1000, tuple(upgrades))
    assert Handshake.decode(handshake.encode()) == handshake


@quick
@given(st.text())
def test_any_text_decodes_or_raises_protocol_error(text: str) -> None:
    errors: list[SocketProtocolError] = []
    for decode in (decode_eio, decode_sio, Handshake.decode):
        try:
            decode(text)
        except SocketProtocolError as error:
            errors.append(error)
    assert all(isinstance(error, ProtocolError) and "\n" not in str(error) for error in errors)


@pytest.mark.parametrize(
    ("frame", "words"),
    [
        ("", "empty"),
        ("7", "unknown Engine.IO packet type"),
        ("hello", "unknown Engine.IO packet type"),
    ],
)
def test_malformed_engineio_frames(frame: str, words: str) -> None:
    with pytest.raises(SocketProtocolError, match=words):
        decode_eio(frame)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "unknown Socket.IO packet type"),
        ("9", "unknown Socket.IO packet type"),
        ('2["x"', "not JSON"),
        ("2{}", "EVENT without a string event name"),
        ("2[1]", "EVENT without a string event name"),
        ("2", "EVENT without a string event name"),
        ("2/chat", "EVENT without a string event name"),
        ("3[]", "ACK without an id"),
        ('51-["x",{"_placeholder":true,"num":0}]', "binary Socket.IO packets are not supported"),
        ("6", "binary Socket.IO packets are not supported"),
        ("2" + "[" * 100_000, "not JSON"),
    ],
)
def test_malformed_socketio_packets(text: str, words: str) -> None:
    with pytest.raises(SocketProtocolError, match=words):
        decode_sio(text)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ("nope", "not JSON"),
        ("[]", "not an object"),
        ('{"pingInterval":1,"pingTimeout":1}', "no sid"),
        ('{"sid":"s","pingInterval":1}', "no valid pingTimeout"),
        ('{"sid":"s","pingInterval":0,"pingTimeout":1}', "no valid pingInterval"),
        ('{"sid":"s","pingInterval":true,"pingTimeout":1}', "no valid pingInterval"),
        ('{"sid":"s","pingInterval":1,"pingTimeout":1,"upgrades":"websocket"}', "malformed upgrades"),
    ],
)
def test_malformed_handshakes(data: str, words: str) -> None:
    with pytest.raises(SocketProtocolError, match=words):
        Handshake.decode(data)


def test_what_cannot_be_encoded_is_an_input_error() -> None:
    with pytest.raises(InputError, match="non-empty string name"):
        event_packet("")
    with pytest.raises(InputError, match="not JSON-serialisable"):
        encode_sio(event_packet("e", object()))
    with pytest.raises(InputError, match=r"invalid Socket\.IO namespace"):
        encode_sio(SioPacket(SioType.CONNECT, "chat"))
    with pytest.raises(InputError, match="binary"):
        encode_sio(SioPacket(SioType.BINARY_EVENT, "/", ["e"]))
    with pytest.raises(SocketProtocolError, match="not an EVENT"):
        _ = SioPacket(SioType.CONNECT).event
