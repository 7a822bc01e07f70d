"""Multi-page documents whose footer shows "page / pages", which is known only after the last page."""
from collections.abc import Callable

from reportlab.pdfgen.canvas import Canvas

FooterDrawer = Callable[[Canvas, int, int], None]


def footer_canvas_maker(draw_footer: FooterDrawer) -> type[Canvas]:
    """Return a canvas class for ``doc.build(canvasmaker=...)`` that calls ``draw_footer(canvas, page, pages)``."""

    class FooterCanvas(_DeferredCanvas):
        footer = staticmethod(draw_footer)

    return FooterCanvas


class _DeferredCanvas(Canvas):
    """A canvas that keeps every finished page until ``save``, when the page count is known."""

    footer: FooterDrawer

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._finished_pages: list[dict] = []

    def showPage(self) -> None:
        # The page's content stream lives in the canvas's attributes, so a copy of them is the page.
        self._finished_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._finished_pages)
        for number, state in enumerate(self._finished_pages, start=1):
            self.__dict__.update(state)
            self.footer(self, number, total)
            super().showPage()
        super().save()
