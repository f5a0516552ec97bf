"""A WebSocket client for the websocket module's tests: python3-websockets
(Debian's 10.x) against a server of ours.

    ws_client.py URL SCENARIO [CAFILE]

It prints one line per thing it saw, for the test to compare:
  echo        text, binary, 10 MiB, fragmented text and binary, a ping;
              then closes with 1000 ("close CODE" is what the server echoed)
  subprotocol offers nope and chat: prints the one agreed
  toobig      sends 2000 bytes (the server's max is 1024): prints the code
              the server closed with
  wait        waits for the server's messages and close: prints each message
              and the close code and reason
  silent      sends nothing (a server with --idle 0.5 closes it): prints the
              close code and reason, and whether that took the idle time
  active      sends a message every 0.1 s for 1.2 s (a server with --idle
              0.5 keeps it): prints whether every echo came, then closes
"""
import asyncio
import ssl
import sys
import time

import websockets


def show(msg):
    if isinstance(msg, bytes):
        return "binary " + msg.hex()
    return "text " + msg


async def main(url, scenario, cafile):
    ctx = None
    if url.startswith("wss:"):
        ctx = ssl.create_default_context(cafile=cafile)
    subprotocols = ["nope", "chat"] if scenario == "subprotocol" else None
    async with websockets.connect(url, ssl=ctx, max_size=64 << 20, compression=None,
                                  subprotocols=subprotocols, ping_interval=None,
                                  close_timeout=5) as ws:
        if scenario == "echo":
            await ws.send("héllo")
            print(show(await ws.recv()))
            await ws.send(b"\x00\xff")
            print(show(await ws.recv()))
            big = bytes(range(256)) * (10 * 4096)
            await ws.send(big)
            got = await ws.recv()
            print("big", len(got), got == big)
            await ws.send(iter(["frag", "ment", "ed"]))
            print(show(await ws.recv()))
            await ws.send(iter([b"\x01", b"\x02", b"\x03"]))
            print(show(await ws.recv()))
            pong = await ws.ping(b"ping data")
            await asyncio.wait_for(pong, 5)
            print("pong")
            await ws.close(1000, "done")
            print("close", ws.close_code, ws.close_reason)
        elif scenario == "subprotocol":
            print("subprotocol", ws.subprotocol)
            await ws.send("which")
            print(show(await ws.recv()))
        elif scenario == "toobig":
            await ws.send("x" * 2000)
            try:
                await ws.recv()
            except websockets.ConnectionClosed as e:
                print("closed", e.rcvd.code if e.rcvd else None)
        elif scenario == "silent":
            start = time.monotonic()
            try:
                print(show(await ws.recv()))
            except websockets.ConnectionClosed as e:
                print("closed", e.rcvd.code if e.rcvd else None, e.rcvd.reason if e.rcvd else "")
                print("after the idle time", time.monotonic() - start >= 0.49)
        elif scenario == "active":
            start, n, ok = time.monotonic(), 0, True
            while ok and time.monotonic() - start < 1.2:
                n += 1
                await ws.send("tick %d" % n)
                ok = await ws.recv() == "tick %d" % n
                await asyncio.sleep(0.1)
            print("echoed", ok and n >= 3)
            await ws.close(1000, "done")
            print("close", ws.close_code, ws.close_reason)
        elif scenario == "wait":
            try:
                while True:
                    print(show(await ws.recv()))
            except websockets.ConnectionClosed as e:
                print("closed", e.rcvd.code if e.rcvd else None, e.rcvd.reason if e.rcvd else "")
    sys.stdout.flush()


asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None))
