"""Take screenshots of every page at phone and projector width, for a person to look at.

Usage: python tools/screenshots.py [OUTPUT_FOLDER]   (default: out/screenshots)

It starts a demo instance on 127.0.0.1 in a temporary data folder, posts a few notes, and saves
PNG files named <page>-<width>.png. Needs Debian's chromium at /usr/bin/chromium.
"""
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / 'tests'))
from chromium import CHROMIUM, CHROMIUM_ARGS, running_server  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from workshop import demo  # noqa: E402
from workshop.store import Store  # noqa: E402

WIDTHS = [(390, 844), (1920, 1080)]


def main() -> None:
    output = Path(sys.argv[1] if len(sys.argv) > 1 else 'out/screenshots')
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        store = Store(data_dir / 'fusen.db')
        created = demo.create_demo(store)
        card = store.create_cards(created.sessions[0].id, 1)[0]
        store.close()
        with running_server(data_dir) as url:
            pages = {
                'setup': f'{url}/',
                'facilitator': f'{url}/f/{created.facilitator_key}',
                'card': f'{url}/c/{card.token}',
                'join': f'{url}/j/{created.workshop.join_token}',
                'join-session': f'{url}/j/{created.sessions[1].join_token}',
                'board': f'{url}/board/{created.workshop.id}',
                'board-session': f'{url}/board/{created.workshop.id}?session=A',
                'not-found': f'{url}/c/{"A" * 32}',
                'setup-en': f'{url}/?lang=en',
                'card-en': f'{url}/c/{card.token}?lang=en',
            }
            shoot(pages, output)
    print(f'screenshots in {output}')


def shoot(pages: dict[str, str], output: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for width, height in WIDTHS:
            context = browser.new_context(viewport={'width': width, 'height': height}, locale='ja-JP')
            page = context.new_page()
            for name, address in pages.items():
                page.goto(address)
                page.wait_for_timeout(800)
                page.screenshot(path=output / f'{name}-{width}.png', full_page=True)
            context.close()
        browser.close()


if __name__ == '__main__':
    main()
