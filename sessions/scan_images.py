"""Routes that serve stored handwriting images and leftover thumbnails, one at a time.

No static route serves the images folder: each request names a workshop (by its board id or a
facilitator key), and the image is served only if it belongs to that workshop.

NOTE: the staff routes check the facilitator key but not the workshop's PIN, which the staff pages
require. The handwriting they serve is the same that the public board shows.
"""
import logging

from fastapi import Response
from fastapi.responses import FileResponse
from nicegui import app

from workshop.scans_store import ScanStore

from . import runtime

log = logging.getLogger(__name__)

_HEADERS = {'Cache-Control': 'private, max-age=31536000, immutable'}  # a stored file never changes


def register() -> None:
    app.get('/board/{workshop_id}/images/{image_id}.webp')(board_image)
    app.get('/f/{key}/images/{image_id}.webp')(staff_image)
    app.get('/f/{key}/leftovers/{leftover_id}.webp')(leftover_thumbnail)


def board_image_url(workshop_id: str, image_id: int) -> str:
    """Return the URL a board or card page shows a handwriting image by."""
    return f'/board/{workshop_id}/images/{image_id}.webp'


def board_image(workshop_id: str, image_id: int) -> Response:
    """Serve a note's handwriting image to a viewer of the workshop's board."""
    path = ScanStore(runtime.store()).image_path(workshop_id, image_id)
    return _file(path)


def staff_image(key: str, image_id: int) -> Response:
    """Serve a handwriting image to the holder of the workshop's facilitator key."""
    workshop = runtime.store().workshop_by_facilitator_key(key)
    if workshop is None:
        return Response(status_code=404)
    return _file(ScanStore(runtime.store()).image_path(workshop.id, image_id))


def leftover_thumbnail(key: str, leftover_id: int) -> Response:
    """Serve the thumbnail of a leftover to the holder of the workshop's facilitator key."""
    workshop = runtime.store().workshop_by_facilitator_key(key)
    if workshop is None:
        return Response(status_code=404)
    return _file(ScanStore(runtime.store()).thumbnail_path(workshop.id, leftover_id))


def _file(path) -> Response:
    if path is None or not path.exists():
        return Response(status_code=404)
    return FileResponse(path, media_type='image/webp', headers=_HEADERS)
