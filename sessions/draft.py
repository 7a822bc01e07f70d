"""A text box's draft kept in the browser's localStorage, so a reloaded page gets back what was typed.

The server's copy of a page survives a dropped connection for the page's reconnect timeout. After
that, or after a server restart, the browser reloads the page and the server builds a new, empty
one. The copy in localStorage then refills the box. It stays until the server confirms the note.

Beside each draft, localStorage keeps the draft's request key: 32 random hex digits, made anew
whenever the text changes. The send button reads it at tap time (``request_key_js``). So the same
text tapped twice carries the same key, even from a page reloaded after a server restart, and the
store returns the note it stored the first time instead of making a second one.
"""
import json
import re
from functools import lru_cache

from nicegui import ui

RESTORE_ATTEMPTS = 100  # times 50 ms: how long the restore waits for the page's Vue app to mount
REQUEST_KEY_PATTERN = re.compile(r'[0-9a-f]{32}')


def keep_draft(box: ui.textarea, key: str) -> None:
    """Copy each change of the box into localStorage under ``key`` and put it back into the box after a page load."""
    draft_key, _ = _storage_keys(key)
    # A handler written in JavaScript runs in the browser only, so typing costs the server nothing more.
    box.on('update:value', js_handler=_keep_draft_js(key))
    ui.add_body_html(f'''<script>
(() => {{
  let attempts = {RESTORE_ATTEMPTS};
  const restore = () => {{
    const saved = localStorage.getItem({draft_key});
    if (!saved) return;
    // nicegui.js declares mounted_app with let, so it is a global binding but no property of window.
    const element = typeof mounted_app !== "undefined" && mounted_app && getElement({box.id});
    if (!element) {{
      if (--attempts > 0) setTimeout(restore, 50);
      return;
    }}
    // Setting the component's value makes it emit update:value, which sends the draft to the server too.
    if (element.inputValue !== saved) element.inputValue = saved;
  }};
  window.addEventListener('load', restore);
}})();
</script>''')


@lru_cache(maxsize=256)
def _keep_draft_js(key: str) -> str:
    """Return the box's change handler in JavaScript, one string shared by all open pages of a session."""
    draft_key, request_key = _storage_keys(key)
    # A changed text gets a new request key, but the restore re-emits the stored text, which keeps its key.
    # crypto.getRandomValues works on plain http too (crypto.randomUUID needs https), so a LAN address is fine.
    return f'''(value) => {{
  try {{
    if (!value) {{
      localStorage.removeItem({draft_key});
      localStorage.removeItem({request_key});
      return;
    }}
    if (localStorage.getItem({draft_key}) !== value || !localStorage.getItem({request_key})) {{
      const bytes = crypto.getRandomValues(new Uint8Array(16));
      localStorage.setItem({request_key}, Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""));
    }}
    localStorage.setItem({draft_key}, value);
  }} catch (error) {{
    console.warn("draft not kept in localStorage", error);
  }}
}}'''


@lru_cache(maxsize=256)
def request_key_js(key: str) -> str:
    """Return a click handler in JavaScript that sends the draft's request key from localStorage, or none."""
    _, request_key = _storage_keys(key)
    return f'''() => {{
  let stored = null;
  try {{ stored = localStorage.getItem({request_key}); }} catch (error) {{}}
  emit(stored || "");
}}'''


def checked_request_key(value: object) -> str | None:
    """Return the request key a browser sent, or None if it sent none or something that is not one."""
    # NiceGUI 3.18 unwraps a single emitted argument; a click with no argument (a script, a test) gives a list.
    if isinstance(value, str) and REQUEST_KEY_PATTERN.fullmatch(value):
        return value
    return None


def forget_draft(key: str) -> None:
    """Remove the draft and its request key from the browser's localStorage once the server has stored it."""
    # If the connection drops after the note is stored but before this message arrives, a later reload
    # refills the box with the sent text. Its request key is still stored too, so a second tap makes
    # the store return the first note, and the page shows it as sent without a second one.
    draft_key, request_key = _storage_keys(key)
    ui.run_javascript(f'localStorage.removeItem({draft_key}); localStorage.removeItem({request_key})')


def _storage_keys(key: str) -> tuple[str, str]:
    """Return the localStorage names of the draft and its request key, as JavaScript string literals."""
    return json.dumps('fusen-draft:' + key), json.dumps('fusen-request-key:' + key)
