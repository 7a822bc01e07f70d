"""A text box's draft kept in the browser's localStorage, so a reloaded page gets back what was typed.

The server's copy of a page survives a dropped connection for the page's reconnect timeout. After
that, or after a server restart, the browser reloads the page and the server builds a new, empty
one. The copy in localStorage then refills the box. It stays until the server confirms the note.
"""
import json

from nicegui import ui

RESTORE_ATTEMPTS = 100  # times 50 ms: how long the restore waits for the page's Vue app to mount


def keep_draft(box: ui.textarea, key: str) -> None:
    """Copy each change of the box into localStorage under ``key`` and put it back into the box after a page load."""
    storage_key = json.dumps('fusen-draft:' + key)
    # A handler written in JavaScript runs in the browser only, so typing costs the server nothing more.
    box.on('update:value', js_handler=f'(value) => value ? localStorage.setItem({storage_key}, value) '
                                      f': localStorage.removeItem({storage_key})')
    ui.add_body_html(f'''<script>
(() => {{
  let attempts = {RESTORE_ATTEMPTS};
  const restore = () => {{
    const saved = localStorage.getItem({storage_key});
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


def forget_draft(key: str) -> None:
    """Remove the draft from the browser's localStorage once the server has stored it."""
    # NOTE: if the connection drops after the note is stored but before this message arrives, a later
    # reload refills the box with a note that was already sent, and a second tap would post it twice.
    ui.run_javascript(f'localStorage.removeItem({json.dumps("fusen-draft:" + key)})')
