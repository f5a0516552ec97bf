"""A WebSocket server for the websocket module's tests: python3-websockets
(Debian's 10.x), on 127.0.0.1:PORT, TLS with CERT and KEY if given.

    ws_peer.py PORT [CERT KEY]

The path picks what a connection gets:
  /echo           every message back as it came (text or binary)
  /fragments      a text message in 3 fragments, a binary one in 2, then echo
  /ping           pings the client, then sends "pong:" and the pong's payload
  /close/CODE     closes at once with CODE and reason "bye"
  /subprotocol    sends the subprotocol agreed (or "none"), then echo
  /headers        sends the request's X-Test header, then echo
  /max            echo with a 1 KiB cap: a longer message is closed with 1009
  /wait-close     echo; after the client's close, sends nothing
Messages up to 64 MiB are accepted elsewhere.
"""
import asyncio
import ssl
import sys

import websockets


async def handler(ws, path=None):
    path = ws.path
    try:
        if path == "/fragments":
            await ws.send(iter(["frag", "ment", "ed"]))
            await ws.send(iter([b"\x00\x01", b"\xff"]))
        elif path == "/ping":
            waiter = await ws.ping(b"are you there")
            await asyncio.wait_for(waiter, 10)
            await ws.send("pong:are you there")
        elif path.startswith("/close/"):
            await ws.close(int(path[len("/close/"):]), "bye")
            return
        elif path == "/subprotocol":
            await ws.send(ws.subprotocol or "none")
        elif path == "/headers":
            await ws.send(ws.request_headers.get("X-Test", "missing"))
        elif path == "/max":
            pass
        async for msg in ws:
            if path == "/max" and len(msg) > 1024:
                await ws.close(1009, "too big")
                return
            await ws.send(msg)
    except websockets.ConnectionClosed:
        pass



async def main():
    port = int(sys.argv[1])
    ctx = None
    if len(sys.argv) > 3:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[2], sys.argv[3])
    # /max caps at 1 KiB in the handler; the library's own cap is 64 MiB.
    async with websockets.serve(handler, "127.0.0.1", port, ssl=ctx, max_size=64 << 20,
                                subprotocols=["superchat", "chat"], compression=None,
                                ping_interval=None):
        print("ready", flush=True)
        await asyncio.Future()


asyncio.run(main())
