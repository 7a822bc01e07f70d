"""The look shared by every page: large type, the header with its language switch, the not-found page."""
import html
import json
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from nicegui import app, ui

from workshop import i18n

from .texts import LANGUAGE_KEY, Texts
from .tuning import disabled_levers

PRIMARY = '#1f4e79'  # Quasar's default blue is too light behind white text for older eyes

# Large type and large touch targets: residents in their seventies read these pages on small phones.
_CSS = '''
body { font-size: 18px; line-height: 1.6; color: #1a1a1a; background: #f7f5ef; }
.fusen-header { background: #1f4e79; color: white; }
.fusen-header a { color: white; }
.fusen-page { width: 100%; max-width: 720px; margin: 0 auto; padding: 12px; gap: 16px; }
.fusen-wide { max-width: none; }
.fusen-card { width: 100%; padding: 16px; border-radius: 12px; }
.fusen-question { font-size: 1.25rem; font-weight: 700; }
.fusen-muted { color: #555; font-size: 0.95rem; }
.fusen-big-button { font-size: 1.25rem; min-height: 56px; width: 100%; }
.fusen-note-mine { background: #fffbe6; border-left: 6px solid #f2c200; padding: 8px 12px; border-radius: 6px; width: 100%; white-space: pre-wrap; overflow-wrap: anywhere; }
.q-field__native, .q-field__label { font-size: 1.1rem; }
.q-field__bottom { font-size: 1rem; }
'''

# NiceGUI's own connection-lost notice (#popup in its page template) is small, in a bottom corner, and
# in the language given to ui.run rather than the page's. Fusen turns it into a wide banner at the top
# of the screen with its own one-word text. nicegui.js still shows it on disconnect and hides it when the
# socket is back. The 1 s delay keeps a short blip from flashing it.
_RECONNECT_CSS = '''
#popup.nicegui-error-popup { top: 0; bottom: auto; left: 0; right: 0; margin: 0; padding: 20px 16px;
  border: none; border-radius: 0; background: #8f2d00; color: white; font-size: 28px; font-weight: 700;
  text-align: center; align-items: center; }
#popup.nicegui-error-popup[aria-hidden="false"] { transition-delay: 1000ms; }
'''


def install_colors() -> None:
    """Set Fusen's colours for every page at once. Call it once before ``ui.run``.

    ``ui.colors`` on each page adds an element to each open page, which a thousand phones pay for in memory.
    """
    if 'app-colors' in disabled_levers():
        return  # frame() sets them per page
    app.colors(primary=PRIMARY)


def frame(texts: Texts, request: Request, title: str, *, wide: bool = False) -> ui.column:
    """Build the header and return the page's main column, into which the page adds its content."""
    ui.add_css(_CSS)
    _reconnect_notice(texts)
    if 'app-colors' in disabled_levers():
        ui.colors(primary=PRIMARY)
    ui.page_title(f'{title} | {texts("app.name")}')
    with ui.header().classes('fusen-header items-center justify-between px-4 py-2'):
        ui.label(texts('app.name')).classes('text-xl font-bold')
        other = 'en' if texts.language == 'ja' else 'ja'
        # The other query parameters stay, so switching language keeps, for example, the chosen session.
        query = urlencode({**request.query_params, LANGUAGE_KEY: other})
        ui.link(i18n.language_name(other), f'{request.url.path}?{query}') \
            .classes('text-lg underline').props(f'lang={other}').mark('language-switch')
    return ui.column().classes('fusen-page' + (' fusen-wide' if wide else ''))


def _reconnect_notice(texts: Texts) -> None:
    """Restyle NiceGUI's connection-lost notice and replace its text with 再接続中 in the page's language."""
    ui.add_css(_RECONNECT_CSS)
    message = json.dumps(texts('common.reconnecting'))  # ASCII-only JSON, so it cannot close the script tag
    # The notice follows the body HTML in NiceGUI's template, so it exists only once the document is parsed.
    ui.add_body_html(f'''<script>
document.addEventListener("DOMContentLoaded", () => {{
  const popup = document.getElementById("popup");
  if (!popup) return;
  const text = document.createElement("span");
  text.textContent = {message};
  text.className = "fusen-reconnecting";
  popup.replaceChildren(text);
  popup.setAttribute("role", "status");
}});
</script>''')


def not_found(texts: Texts) -> HTMLResponse:
    """Return a small self-contained 404 page, so a forged or stale link costs no websocket or page state."""
    title = html.escape(texts('notfound.title'))
    body = html.escape(texts('notfound.body'))
    page = (f'<!doctype html><html lang="{texts.language}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{title}</title></head>'
            '<body style="font-family: sans-serif; font-size: 20px; line-height: 1.6; max-width: 36em; '
            'margin: 2em auto; padding: 0 1em; color: #1a1a1a;">'
            f'<h1 style="font-size: 1.5em;">{title}</h1><p>{body}</p></body></html>')
    return HTMLResponse(page, status_code=404)
