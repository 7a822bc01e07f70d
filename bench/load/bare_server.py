"""The baseline: a bare python-socketio server that relays each posted note to the boards, with no UI framework.

It serves pages in the shape a NiceGUI page has (a client id and an element tree with a text area
and a post button), so the same simulated phones and boards drive it through the same frames.
Run: ``python -m bench.load.bare_server --port PORT`` (it listens on 127.0.0.1 only).
"""
import argparse
import html
import json
import logging
import uuid
from urllib.parse import parse_qs

import socketio
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

log = logging.getLogger(__name__)

# The ping timing matches what NiceGUI sets for Fusen's 60 s reconnect timeout, so idle traffic is alike.
sio = socketio.AsyncServer(async_mode='asgi', cors_allowed_origins=[], ping_interval=48, ping_timeout=24)
pages: dict[str, str] = {}  # client id -> 'phone' or 'board', from the GET until the socket disconnects
drafts: dict[str, str] = {}  # client id -> the text area's last value
message_ids: dict[str, int] = {}


def main() -> None:
    """Serve the baseline on 127.0.0.1 until interrupted."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument('--port', type=int, required=True, help='TCP port on 127.0.0.1')
    args = parser.parse_args()
    routes = [Route('/j/{token}', phone_page), Route('/board/{workshop_id}', board_page)]
    app = socketio.ASGIApp(sio, other_asgi_app=Starlette(routes=routes), socketio_path='/_nicegui_ws/socket.io')
    uvicorn.run(app, host='127.0.0.1', port=args.port, log_level='warning', access_log=False)


async def phone_page(request: Request) -> HTMLResponse:
    elements = {
        '0': {'tag': 'nicegui-input', 'props': {'type': 'textarea', 'value': ''},
              'events': [{'listener_id': str(uuid.uuid4()), 'type': 'update:value'}]},
        '1': {'tag': 'q-btn', 'props': {'label': '投稿する'},
              'events': [{'listener_id': str(uuid.uuid4()), 'type': 'click'}]},
    }
    return _page('phone', elements)


async def board_page(request: Request) -> HTMLResponse:
    return _page('board', {'0': {'tag': 'div', 'props': {}}})


def _page(kind: str, elements: dict) -> HTMLResponse:
    client_id = str(uuid.uuid4())
    pages[client_id] = kind
    tree = html.escape(json.dumps(elements, ensure_ascii=False))
    return HTMLResponse(f"<!doctype html><script>query: {{'client_id': '{client_id}'}}; "
                        f'parseElements(String.raw`{tree}`)</script>')


@sio.on('connect')
async def on_connect(sid: str, environ: dict, auth: object = None) -> bool:
    client_id = parse_qs(environ.get('QUERY_STRING', '')).get('client_id', [''])[0]
    kind = pages.get(client_id)
    if kind is None:
        return False
    await sio.save_session(sid, {'client_id': client_id})
    await sio.enter_room(sid, client_id)
    if kind == 'board':
        await sio.enter_room(sid, 'boards')
    return True


@sio.on('disconnect')
async def on_disconnect(sid: str, reason: object = None) -> None:
    client_id = (await sio.get_session(sid)).get('client_id', '')
    pages.pop(client_id, None)
    drafts.pop(client_id, None)
    message_ids.pop(client_id, None)


@sio.on('event')
async def on_event(sid: str, message: dict) -> None:
    """Keep the text area's value; on the button's click, send the note to every board and to the phone."""
    client_id = message.get('client_id', '')
    if message.get('args'):
        drafts[client_id] = json.loads(message['args'][0])
        return
    note = drafts.pop(client_id, '')
    update = {'note': {'tag': 'div', 'text': note, 'class': ['fusen-note-text']}}
    await sio.emit('update', {**update, '_id': _next_id('boards')}, room='boards')
    await sio.emit('update', {**update, '_id': _next_id(client_id)}, room=client_id)


@sio.on('ack')
async def on_ack(sid: str, message: dict) -> None:
    """Accept acknowledgements as NiceGUI does; the baseline keeps no history to prune."""


def _next_id(room: str) -> int:
    message_ids[room] = message_ids.get(room, -1) + 1
    return message_ids[room]


if __name__ == '__main__':
    main()
