"""A join poster as a PNG, for LINE messages and the city's web page, drawn with Pillow."""
import io

from PIL import Image, ImageDraw, ImageFont

from workshop import urls
from workshop.i18n import translate
from workshop.model import Session, Workshop

from .fonts import FONT_PATH, printable
from .qr import qr_png

WIDTH = 1080  # pixels, as wide as a phone screen shows at full resolution
PADDING = 60
QR_PIXELS = 720


def join_poster_png(workshop: Workshop, session: Session | None, public_url: str, language: str = 'ja') -> bytes:
    """Return a PNG poster with the title, the question, the join QR code and the link."""
    token = session.join_token if session else workshop.join_token
    link = urls.join_url(public_url, token)
    question = session.question if session else workshop.question
    blocks = [(workshop.title, 64, 'black')]
    if session:
        blocks.append((f'{session.letter}　{session.name}', 52, 'black'))
    if question:
        blocks.append((question, 40, '#404040'))
    blocks.append((translate(language, 'print.poster.invitation'), 52, 'black'))

    qr = Image.open(io.BytesIO(qr_png(urls.qr_text(link)))).convert('RGB')
    qr = qr.resize((QR_PIXELS, QR_PIXELS), Image.Resampling.NEAREST)
    footer = [(translate(language, 'print.poster.link_label'), 28, '#404040'), (link, 30, 'black')]

    lines = [*_wrap_blocks(blocks), None, *_wrap_blocks(footer)]  # None marks where the QR code goes
    height = PADDING * 2 + QR_PIXELS + sum(int(line[1] * 1.5) for line in lines if line)
    image = Image.new('RGB', (WIDTH, height), 'white')
    draw = ImageDraw.Draw(image)
    y = PADDING
    for line in lines:
        if line is None:
            image.paste(qr, ((WIDTH - QR_PIXELS) // 2, y))
            y += QR_PIXELS
            continue
        text, size, colour = line
        font = _font(size)
        draw.text(((WIDTH - draw.textlength(text, font=font)) / 2, y), text, font=font, fill=colour)
        y += int(size * 1.5)

    buffer = io.BytesIO()
    image.save(buffer, format='PNG', optimize=True)
    return buffer.getvalue()


def _wrap_blocks(blocks: list[tuple[str, int, str]]) -> list[tuple[str, int, str]]:
    """Split each block into lines that fit the width, breaking between any two characters."""
    lines = []
    for text, size, colour in blocks:
        font = _font(size)
        for paragraph in printable(text).split('\n'):
            line = ''
            for char in paragraph:
                if line and font.getlength(line + char) > WIDTH - 2 * PADDING:
                    lines.append((line, size, colour))
                    line = ''
                line += char
            lines.append((line, size, colour))
    return lines


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_PATH), size)
