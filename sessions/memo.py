"""A div that the browser renders again only when the server updates it, for long lists of elements."""
from nicegui import ui


class Memo(ui.element, component='memo.js'):
    """A div whose children the browser renders again only after ``update()`` of this div.

    NiceGUI renders all native elements of a page from one render function, so without this every
    new note on a board would make the browser build and compare the elements of every card already shown.
    Code that changes a child (a label's text, an image) must call ``update()`` of the enclosing ``Memo``.
    """

    def update(self) -> None:
        """Send the element with a new version, so that the browser renders its children again, then update an enclosing Memo."""
        with self.props.suspend_updates():  # a change of props calls update(), which would recurse
            self.props['version'] = self.props.get('version', 0) + 1
        super().update()
        update_enclosing_memo(self)


def update_enclosing_memo(element: ui.element) -> None:
    """Update the Memo the element sits in, if any, because its cached children would hide the element's change."""
    parent = element.parent_slot.parent if element.parent_slot else None
    if isinstance(parent, Memo):
        parent.update()
