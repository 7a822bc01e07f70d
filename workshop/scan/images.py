"""Encoding and storing pictures: handwriting crops, leftover thumbnails and card photos.

Stored files get random names under ``<data folder>/images/``. No static route serves that folder;
pages serve one image at a time after checking that it belongs to the workshop being viewed.
Every stored picture is re-encoded from pixels, so no EXIF data (GPS, camera, time) reaches disk.
"""
import io
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

log = logging.getLogger(__name__)

IMAGES_FOLDER = 'images'
IMAGE_WIDTH = 800  # px: sharp on a projected board, and about 400 dpi at the 50 mm a minutes page prints it
THUMBNAIL_WIDTH = 480
WEBP_QUALITY = 80


@dataclass(frozen=True)
class EncodedImage:
    """A picture ready to store: WebP bytes and the pixel size."""

    data: bytes
    width: int
    height: int


def encode(image: Image.Image, max_width: int = IMAGE_WIDTH, max_height: int | None = None) -> EncodedImage:
    """Return the image shrunk to fit the maximum size (never enlarged) as WebP, with no metadata."""
    picture = image.convert('RGB')
    scale = min(1.0, max_width / picture.width, (max_height or picture.height) / picture.height)
    if scale < 1.0:
        picture = picture.resize((max(1, round(picture.width * scale)), max(1, round(picture.height * scale))),
                                 Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    picture.save(buffer, format='WEBP', quality=WEBP_QUALITY, method=4)
    return EncodedImage(buffer.getvalue(), picture.width, picture.height)


def images_dir(data_dir: Path) -> Path:
    folder = data_dir / IMAGES_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save(data_dir: Path, image: EncodedImage) -> str:
    """Write the picture under a new random name in the images folder, through to the disk, and return the name.

    The database row that refers to the file is committed afterwards with a sync of its own, so after
    a power cut no row points to a file whose bytes were still in the page cache. The new name also
    needs ``sync_folder``.
    """
    name = f'{secrets.token_hex(16)}.webp'
    with (images_dir(data_dir) / name).open('wb') as file:
        file.write(image.data)
        file.flush()
        os.fsync(file.fileno())
    return name


def sync_folder(data_dir: Path) -> None:
    """Write the images folder's entries through to the disk, so the names of files just saved survive a power cut."""
    try:
        folder = os.open(images_dir(data_dir), os.O_RDONLY)
    except OSError as error:
        # NOTE: Windows cannot open a folder with os.open, so there the new names are not synced.
        log.debug('images folder not synced: %s', error)
        return
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def remove(data_dir: Path, name: str) -> None:
    """Delete a stored picture, for a filing that failed after the file was written."""
    try:
        (images_dir(data_dir) / name).unlink(missing_ok=True)
    except OSError as error:
        log.warning('cannot remove image %s: %s', name, error)


def path_of(data_dir: Path, name: str) -> Path:
    """Return the path of a stored picture.

    :raises ValueError: if the name is not one that ``save`` makes, so a stored name can never reach outside the folder
    """
    if len(name) != 37 or not name.endswith('.webp') or not all(c in '0123456789abcdef' for c in name[:32]):
        raise ValueError(f'image name {name!r} is not a stored image name')
    return images_dir(data_dir) / name
