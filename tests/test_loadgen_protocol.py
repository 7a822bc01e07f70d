"""The load generator reads a real participant page as nicegui.js does, and builds the frames a browser sends."""
import json
import re
import urllib.request
from pathlib import Path

from bench.load.protocol import (BROWSER_HEADERS, ack_frame, asset_paths, event_frame, parse_message, parse_page,
                                 socket_url)
from chromium import run_cli, running_server


def test_parse_real_join_page(data_dir: Path) -> None:
    with running_server(data_dir) as url:
        created = run_cli(data_dir, url, 'new', '対話会', '--session', '観光')
        join = re.search(r'^join A \S+: (\S+)', created, re.M).group(1)
        headers = {**BROWSER_HEADERS, 'Accept-Encoding': 'identity'}
        with urllib.request.urlopen(urllib.request.Request(join, headers=headers), timeout=10) as response:
            html = response.read().decode('utf-8')

    page = parse_page(html)
    box = page.find('nicegui-input', type='textarea')
    button = page.find('q-btn', label='投稿する')
    assert re.fullmatch(r'[0-9a-f-]{36}', page.client_id)
    assert page.listener(box, 'update:value').element_id == box
    assert page.listener(button, 'click').listener_id
    paths = asset_paths(html)
    assert any(path.endswith('/static/quasar.umd.prod.js') for path in paths)
    assert any(path.endswith('/static/nicegui.css') for path in paths)
    assert len(paths) == len(set(paths))


def test_event_frame_encodes_value() -> None:
    page = parse_page("'client_id': '00000000-0000-4000-8000-000000000000' "
                      'parseElements(String.raw`{"3": {"tag": "q-btn", "props": {"label": "投稿する"}, '
                      '"events": [{"type": "click", "listener_id": "abc"}]}}`)')
    listener = page.listener(3, 'click')

    name, payload = json.loads(event_frame(page.client_id, listener, '意見 "quoted"')[2:])
    assert name == 'event'
    assert payload['id'] == 3
    assert payload['listener_id'] == 'abc'
    assert payload['args'] == ['"意見 \\"quoted\\""']
    assert parse_message(ack_frame(page.client_id, 7)) == ('ack', {'client_id': page.client_id, 'next_message_id': 7})
    assert parse_message('2') is None
    assert 'client_id=00000000-0000-4000-8000-000000000000' in socket_url('http://127.0.0.1:1', page.client_id)
    assert socket_url('http://127.0.0.1:1', page.client_id).startswith('ws://127.0.0.1:1/_nicegui_ws/socket.io/?')
