"""Routes that serve stored handwriting images and leftover thumbnails, one at a time.

No static route serves the images folder: each request names a workshop (by its board id or a
facilitator key), and the image is served only if it belongs to that workshop. The board route is
public and image ids count up from 1, so it serves only what the board shows: the current image of
a visible note. Every other image gets the same empty 404 response as a missing one. The staff
routes serve every image of the workshop, but require the workshop's PIN, when it has one, to have
been entered in the same browser, as the staff pages do.
"""
import logging
from pathlib import Path

from fastapi import Request, Response
from nicegui import app

from workshop.model import Workshop
from workshop.scans_store import ScanStore

from . import runtime
from .access import pin_entered

log = logging.getLogger(__name__)

_STAFF_HEADERS = {'Cache-Control': 'private, max-age=31536000, immutable'}  # a stored file never changes
# Staff can hold or hide a note at any moment, so a browser must revalidate a board image before it reuses it.
_BOARD_HEADERS = {'Cache-Control': 'private, no-cache'}
_NOT_FOUND_HEADERS = {'Cache-Control': 'no-store'}
MAX_ROW_ID = 2**63 - 1  # the largest integer SQLite stores


def register() -> None:
    app.get('/board/{workshop_id}/images/{image_id}.webp')(board_image)
    app.get('/f/{key}/images/{image_id}.webp')(staff_image)
    app.get('/f/{key}/leftovers/{leftover_id}.webp')(leftover_thumbnail)


def board_image_url(workshop_id: str, image_id: int) -> str:
    """Return the URL a board or card page shows a handwriting image by."""
    return f'/board/{workshop_id}/images/{image_id}.webp'


# The ids are taken as text and checked here, so that a word or a number beyond SQLite's range gets
# the same empty 404 as a missing image, not FastAPI's 422 with a JSON body or a 500.
def board_image(request: Request, workshop_id: str, image_id: str) -> Response:
    """Serve the current handwriting image of a visible note to a viewer of the workshop's board."""
    row_id = _row_id(image_id)
    path = ScanStore(runtime.store()).board_image_path(workshop_id, row_id) if row_id else None
    return _file(request, path, _BOARD_HEADERS)


def staff_image(request: Request, key: str, image_id: str) -> Response:
    """Serve a handwriting image to the holder of the workshop's facilitator key and PIN."""
    workshop = _staff_workshop(key)
    if not isinstance(workshop, Workshop):
        return workshop
    row_id = _row_id(image_id)
    return _file(request, ScanStore(runtime.store()).image_path(workshop.id, row_id) if row_id else None)


def leftover_thumbnail(request: Request, key: str, leftover_id: str) -> Response:
    """Serve the thumbnail of a leftover to the holder of the workshop's facilitator key and PIN."""
    workshop = _staff_workshop(key)
    if not isinstance(workshop, Workshop):
        return workshop
    row_id = _row_id(leftover_id)
    return _file(request, ScanStore(runtime.store()).thumbnail_path(workshop.id, row_id) if row_id else None)


def _row_id(text: str) -> int | None:
    """Return the id in a URL as a number, or None if it cannot be the id of a stored row."""
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ROW_ID else None


def _staff_workshop(key: str) -> Workshop | Response:
    """Return the workshop the key opens, or 404 for a wrong key and 403 while its PIN was not entered here.

    The PIN is checked before any image is looked up, so a browser without it cannot even learn which
    image ids exist.
    """
    workshop = runtime.store().workshop_by_facilitator_key(key)
    if workshop is None:
        return Response(status_code=404)
    if not pin_entered(workshop.id):
        log.info('image request for workshop %s rejected: PIN not entered in this browser', workshop.id)
        return Response(status_code=403, headers={'Cache-Control': 'no-store'})
    return workshop


def _file(request: Request, path: Path | None, headers: dict[str, str] = _STAFF_HEADERS) -> Response:
    """Return the stored file, or 304 when the browser already has it.

    The routes are plain functions, so FastAPI runs them in a worker thread, and the file is read
    there in one go. A FileResponse would pass the event loop to a thread and back for each of
    stat, open, read and close, and a scan batch makes the board ask for about 24 images at once
    while phones post. Stored files are never rewritten under their random names, so the name is the ETag.
    """
    if path is None:
        return Response(status_code=404, headers=_NOT_FOUND_HEADERS)
    tag = f'"{path.stem}"'
    if _has_tag(request.headers.get('if-none-match', ''), tag) and path.is_file():
        return Response(status_code=304, headers={**headers, 'ETag': tag})
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Response(status_code=404, headers=_NOT_FOUND_HEADERS)
    return Response(data, media_type='image/webp', headers={**headers, 'ETag': tag})


def _has_tag(if_none_match: str, tag: str) -> bool:
    """Tell whether an If-None-Match header names the tag, by the weak comparison that RFC 9110 requires."""
    if if_none_match.strip() == '*':
        return True
    return any(entry.strip().removeprefix('W/') == tag for entry in if_none_match.split(','))
