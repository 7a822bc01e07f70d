"""Compare uvicorn's websocket implementations: server RSS per open websocket and CPU per received message.

The server is a bare ASGI app that accepts every websocket and reads until it closes, so the figures
are the websocket stack's own cost. Run, under the bench lock:

    .venv/bin/python -m bench.websocket_memory wsproto websockets-sansio wsproto websockets-sansio

Everything runs on 127.0.0.1.
"""
import asyncio
import subprocess
import sys

import aiohttp
import psutil

from bench.load.servers import free_port

SOCKETS = 1000
ROUNDS = 5  # messages per socket for the CPU figure
MESSAGE = 'x' * 200

SERVER = '''
import sys, uvicorn

async def app(scope, receive, send):
    if scope["type"] == "websocket":
        await receive()
        await send({"type": "websocket.accept"})
        while (await receive())["type"] != "websocket.disconnect":
            pass
    elif scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), ws=sys.argv[2], log_level="warning", lifespan="off")
'''


def main() -> None:
    """Measure each implementation named on the command line, in that order, and print one line for each."""
    for implementation in sys.argv[1:] or ['wsproto', 'websockets-sansio']:
        asyncio.run(measure(implementation))


async def measure(implementation: str) -> None:
    port = free_port()
    server = subprocess.Popen([sys.executable, '-c', SERVER, str(port), implementation])
    try:
        process = psutil.Process(server.pid)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            await _wait_until_up(http, port)
            before = process.memory_info().rss
            sockets = [await http.ws_connect(f'http://127.0.0.1:{port}/ws') for _ in range(SOCKETS)]
            await asyncio.sleep(2)
            rss_per_socket = (process.memory_info().rss - before) / SOCKETS

            cpu_before = sum(process.cpu_times()[:2])
            for _ in range(ROUNDS):
                await asyncio.gather(*(socket.send_str(MESSAGE) for socket in sockets))
            await asyncio.sleep(1)
            cpu_per_message = (sum(process.cpu_times()[:2]) - cpu_before) / (ROUNDS * SOCKETS)
            print(f'{implementation:18} {rss_per_socket / 1024:5.1f} KiB per open websocket, '
                  f'{cpu_per_message * 1e6:5.1f} µs CPU per received message', flush=True)
            for socket in sockets:
                await socket.close()
    finally:
        server.terminate()
        server.wait()


async def _wait_until_up(http: aiohttp.ClientSession, port: int) -> None:
    for _ in range(100):
        try:
            async with http.get(f'http://127.0.0.1:{port}/') as response:
                await response.read()
                return
        except aiohttp.ClientError:
            await asyncio.sleep(0.2)
    raise RuntimeError(f'the probe server on port {port} did not respond within 20 s')


if __name__ == '__main__':
    main()
