"""The parts of a NiceGUI 3.18 page that a browser reads, and the socket.io frames it sends back.

The page's HTML carries the client id in a Python-dict literal (``'client_id': '…'``) and the
element tree as JSON in ``parseElements(String.raw`…`)``, HTML-escaped. Element ids and listener
ids differ for every page load, so they are read from every GET.
"""
import html
import json
import re
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

SOCKET_PATH = '/_nicegui_ws/socket.io/'
# A phone's User-Agent, because NiceGUI returns Markdown instead of a page to agent-like User-Agents.
BROWSER_HEADERS = {
    'User-Agent': 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 '
                  '(KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36',
    'Accept': 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    'Accept-Language': 'ja,en;q=0.8',
    'Accept-Encoding': 'gzip, deflate',
}

_CLIENT_ID = re.compile(r"'client_id': '([0-9a-f-]{36})'")
_ELEMENTS = re.compile(r'parseElements\(String\.raw`(.*?)`\)', re.S)
# Files a browser fetches on a first visit: stylesheets imported in <style>, preloaded modules, scripts, icons.
_ASSET = re.compile(r'''(?:href|src)="(/_nicegui/[^"]+)"|@import url\("(/_nicegui/[^"]+)"\)''')


class PageFormatError(ValueError):
    """The HTML is not a NiceGUI page that this generator can read."""


@dataclass(frozen=True)
class Listener:
    """One event listener of one element: what the browser names in its ``event`` frame."""

    element_id: int
    listener_id: str


@dataclass(frozen=True)
class Page:
    """The parts of a served page that a simulated browser needs."""

    client_id: str
    elements: dict[int, dict]

    def listener(self, element_id: int, event_type: str) -> Listener:
        """Return the element's listener for the event type, e.g. ``click`` or ``update:value``.

        :raises PageFormatError: if the element has no such listener
        """
        for event in self.elements[element_id].get('events', []):
            if event['type'] == event_type:
                return Listener(element_id, event['listener_id'])
        raise PageFormatError(f'element {element_id} has no {event_type!r} listener')

    def has_js_handler(self, element_id: int, event_type: str) -> bool:
        """Tell whether the element's listener for the event runs JavaScript that decides what to emit."""
        return any(event['type'] == event_type and event.get('js_handler')
                   for event in self.elements[element_id].get('events', []))

    def find(self, tag: str, **props: object) -> int:
        """Return the id of the first element with this tag whose props contain the given values.

        :raises PageFormatError: if no element matches
        """
        for element_id, element in self.elements.items():
            if element.get('tag') != tag:
                continue
            if all(element.get('props', {}).get(name) == value for name, value in props.items()):
                return element_id
        raise PageFormatError(f'no <{tag}> with props {props} on the page')


def parse_page(text: str) -> Page:
    """Read the client id and the element tree from a page's HTML.

    :raises PageFormatError: if either is missing
    """
    client = _CLIENT_ID.search(text)
    tree = _ELEMENTS.search(text)
    if client is None or tree is None:
        raise PageFormatError(f'not a NiceGUI page (client id found: {client is not None}, '
                              f'elements found: {tree is not None}): {text[:120]!r}')
    raw = json.loads(html.unescape(tree.group(1)))
    return Page(client_id=client.group(1), elements={int(key): value for key, value in raw.items()})


def asset_paths(text: str) -> list[str]:
    """List the NiceGUI files a browser with an empty cache fetches for this page, in order, without repeats."""
    # The import map only names modules, which a browser fetches when a script imports them, so it is skipped.
    found = [first or second for first, second in _ASSET.findall(text)]
    return list(dict.fromkeys(found))


def socket_url(base_url: str, client_id: str, next_message_id: int = 0, *,
               document_id: str | None = None, tab_id: str | None = None) -> str:
    """Build the websocket URL that nicegui.js opens; a fresh tab gets new document and tab ids, a reconnect reuses them."""
    query = urlencode({
        'client_id': client_id, 'next_message_id': next_message_id, 'implicit_handshake': 'true',
        'document_id': document_id or str(uuid.uuid4()), 'tab_id': tab_id or str(uuid.uuid4()),
        'old_tab_id': 'null', 'EIO': 4, 'transport': 'websocket',
    })
    return base_url.replace('http://', 'ws://', 1) + SOCKET_PATH + '?' + query


def event_frame(client_id: str, listener: Listener, *args: object) -> str:
    """Build the socket.io frame of one element event; each argument travels JSON-encoded, as nicegui.js sends it."""
    payload = {'id': listener.element_id, 'client_id': client_id, 'listener_id': listener.listener_id,
               'args': [json.dumps(arg, ensure_ascii=False) for arg in args]}
    return '42' + json.dumps(['event', payload], ensure_ascii=False)


def ack_frame(client_id: str, next_message_id: int) -> str:
    """Build the acknowledgement of the updates received so far, which lets the server drop them from its history."""
    return '42' + json.dumps(['ack', {'client_id': client_id, 'next_message_id': next_message_id}])


def parse_message(frame: str) -> tuple[str, dict] | None:
    """Return the name and data of a socket.io event frame (``42[...]``), or None for any other frame."""
    if not frame.startswith('42'):
        return None
    name, *rest = json.loads(frame[2:])
    return name, (rest[0] if rest and isinstance(rest[0], dict) else {})
