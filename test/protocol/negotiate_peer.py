#!/usr/bin/env python3
"""A protocol-negotiation peer written only from idl/WIRE.md (§1-§5 frames in JSON format, §14
negotiation and envelopes), with the Python standard library: the proof that a peer in another
language can negotiate with runtime/protocol and exchange `chat` envelopes with it.

    negotiate_peer.py initiate SOCKET OFFERS [TEXT]   connect, send @nova.negotiate with OFFERS (JSON);
                                                      print ANSWER <[value, error] as JSON>; with TEXT and
                                                      chat agreed, send one chat envelope and print
                                                      REPLY <version> <decoded payload>
    negotiate_peer.py respond SOCKET LOCAL            listen, print "ready", serve one connection: answer
                                                      @nova.negotiate from LOCAL (JSON offers), answer every
                                                      chat envelope with its text reversed

`chat` payloads are UTF-8 JSON objects {"from", "text", "sentAt"?} (examples/protocol-plugin).
"""
import base64
import json
import os
import socket
import struct
import sys
import zlib

HEADER = struct.Struct("<4sBBBBQQQII")  # §2
JSON_FORMAT = 1  # §3 flags bits 0-1


def crc(header36, payload):  # §4: header with the CRC field as zero, then the payload
    return zlib.crc32(payload, zlib.crc32(b"\0\0\0\0", zlib.crc32(header36))) & 0xFFFFFFFF


def frame(msg_type, message_id, correlation_id, body):
    header36 = HEADER.pack(b"NOVA", 1, 0, msg_type, JSON_FORMAT, message_id, correlation_id, 0, len(body), 0)[:36]
    return header36 + struct.pack("<I", crc(header36, body)) + body


def section(value):
    return json.dumps(value, separators=(",", ":")).encode()


def named(name):
    raw = name.encode()
    return struct.pack("<H", len(raw)) + raw


def request(message_id, method, params, timeout_ms=5000):  # §5.1
    return frame(1, message_id, 0, struct.pack("<II", timeout_ms, 0) + named(method) + section(params))


def response(message_id, correlation_id, value, error):  # §5.2
    return frame(2, message_id, correlation_id, struct.pack("<II", 0 if error is None else 1, 0) + section([value, error]))


def event(message_id, event_type, data):  # §5.3
    return frame(3, message_id, 0, struct.pack("<QBBH", 0, 128, 0, len(event_type.encode())) + event_type.encode() + section(data))


def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def read_frame(sock):
    """The next frame as (type, message id, correlation id, fixed fields, value), or None at end of stream."""
    header = read_exact(sock, 40)
    if header is None:
        return None
    magic, major, _minor, msg_type, flags, mid, cid, _ts, length, check = HEADER.unpack(header)
    body = read_exact(sock, length)
    if magic != b"NOVA" or major != 1 or body is None or crc(header[:36], body) != check:
        raise SystemExit("bad frame")
    if flags & 3 != JSON_FORMAT:
        raise SystemExit(f"frame in format {flags & 3}: this peer reads JSON only")
    if msg_type == 1:
        (n,) = struct.unpack_from("<H", body, 8)
        return msg_type, mid, cid, body[10 : 10 + n].decode(), json.loads(body[10 + n :])
    if msg_type == 2:
        return msg_type, mid, cid, struct.unpack_from("<I", body, 0)[0], json.loads(body[8:])
    if msg_type == 3:
        (n,) = struct.unpack_from("<H", body, 10)
        return msg_type, mid, cid, body[12 : 12 + n].decode(), json.loads(body[12 + n :])
    return msg_type, mid, cid, None, None


def envelope(message_id, version, chat):  # §14.3
    payload = base64.b64encode(json.dumps(chat).encode()).decode()
    return event(message_id, "@nova.protocol", ["chat", version, {"$b": payload}])


def open_envelope(data):
    name, version, payload = data
    return name, version, json.loads(base64.b64decode(payload["$b"]))


def choose(offers, local):  # §14.1-14.2: first offer with an overlap, at the highest common version
    for offer in offers:
        for mine in local:
            if mine["name"] == offer["name"]:
                top = min(tuple(offer["max"]), tuple(mine["max"]))
                if top >= tuple(offer["min"]) and top >= tuple(mine["min"]):
                    return {"name": offer["name"], "version": list(top)}
    return None


def initiate(path, offers, text):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    sock.sendall(request(1, "@nova.negotiate", [offers]))
    while True:
        msg_type, _mid, cid, _status, value = read_frame(sock)
        if msg_type == 2 and cid == 1:
            break
    print("ANSWER " + json.dumps(value, separators=(",", ":")), flush=True)
    chosen, error = value
    if text is None or error is not None or chosen["name"] != "chat":
        return
    sock.sendall(envelope(2, chosen["version"], {"from": "python", "text": text, "sentAt": 1}))
    while True:
        msg_type, _mid, _cid, event_type, data = read_frame(sock)
        if msg_type == 3 and event_type == "@nova.protocol":
            name, version, chat = open_envelope(data)
            print(f"REPLY {name} {version[0]}.{version[1]} " + json.dumps(chat, sort_keys=True), flush=True)
            return


def respond(path, local):
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    print("ready", flush=True)
    sock, _ = server.accept()
    next_id = 1000
    version = None
    while True:
        got = read_frame(sock)
        if got is None:
            break
        msg_type, mid, _cid, name, value = got
        next_id += 1
        if msg_type == 1 and name == "@nova.negotiate":
            params = value
            if not isinstance(params, list) or not params or not isinstance(params[0], list):
                sock.sendall(response(next_id, mid, None, {"code": "MessageValidationFailed", "message": "params must be [offers]"}))
                continue
            chosen = choose(params[0], local)
            if chosen is None:
                sock.sendall(response(next_id, mid, None, {"code": "NoCommonProtocol", "message": "nothing in common"}))
            else:
                version = chosen["version"]
                print(f"NEGOTIATED {chosen['name']} {version[0]}.{version[1]}", flush=True)
                sock.sendall(response(next_id, mid, chosen, None))
        elif msg_type == 3 and name == "@nova.protocol":
            _name, sent_in, chat = open_envelope(value)
            print(f"GOT {sent_in[0]}.{sent_in[1]} {chat['text']}", flush=True)
            sock.sendall(envelope(next_id, version or sent_in, {"from": "python", "text": chat["text"][::-1], "sentAt": 2}))
    os.unlink(path)


if __name__ == "__main__":
    mode, path, spec = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    if mode == "initiate":
        initiate(path, spec, sys.argv[4] if len(sys.argv) > 4 else None)
    else:
        respond(path, spec)
