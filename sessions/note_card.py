"""One note on the board as a single element, rendered in the browser by note_card.js."""
from nicegui import ui

from .memo import update_enclosing_memo


class NoteCard(ui.element, component='note_card.js'):
    """A board card: the note's text, source badge, time and, once scanned, its handwriting image.

    The parts are props of one element rather than elements of their own, so a scan batch of 50 cards
    costs the server 50 elements instead of 250. Markers: ``note``, and ``note-image`` while an image is shown.
    """

    def __init__(self, *, text: str, badge: str, source: str, time: str) -> None:
        super().__init__()
        # Each prop change would send the card again, so the caller sends it once with update().
        with self._props.suspend_updates():
            self._props.update(text=text, badge=badge, source=source, time=time, image=None)
        self.mark('note')

    @property
    def text(self) -> str:
        return self._props['text']

    @property
    def image_src(self) -> str | None:
        image = self._props['image']
        return image['src'] if image else None

    def set_text(self, text: str) -> None:
        """Change the text. The caller sends the card with ``update()``."""
        with self._props.suspend_updates():
            self._props['text'] = text

    def set_image(self, src: str, alt: str, size: tuple[int, int] | None) -> None:
        """Show a handwriting image. The caller sends the card with ``update()``.

        The size lets the browser reserve the image's box before it loads, so the grid is laid out once.
        """
        image = {'src': src, 'alt': alt}
        if size is not None:
            image['width'], image['height'] = size
        with self._props.suspend_updates():
            self._props['image'] = image
        self.mark('note', 'note-image')

    def update(self) -> None:
        """Send the card, and update the group it sits in, whose memo would otherwise hide the change."""
        super().update()
        update_enclosing_memo(self)

    def _displayed_contents(self, *, only_visible: bool) -> list:
        return [self._props['text'], self._props['badge'], self._props['time']]
