"""Filing what a page analysis found: each card's handwriting onto its note, leftovers kept, strangers reported."""
import logging
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

from workshop import tokens
from workshop.model import Card
from workshop.scans_store import ScanStore

from .analysis import CardCrop, PageAnalysis
from .images import EncodedImage
from .errors import ScanError

log = logging.getLogger(__name__)


class Match(StrEnum):
    """The kind of QR code a decoded text belongs to."""

    CARD = 'card'  # a card of the workshop being scanned
    OTHER_WORKSHOP = 'other_workshop'
    UNKNOWN_CARD = 'unknown_card'  # a card URL whose token no workshop here has: another Fusen, or forged
    NOT_FUSEN = 'not_fusen'


@dataclass
class FileReport:
    """The outcome of one file: counts per outcome and the errors, each naming the file."""

    name: str
    pages: int = 0
    filed: list[str] = field(default_factory=list)  # card codes, in the order filed
    blank: int = 0
    blank_pages: int = 0
    cut_off: int = 0
    leftovers: int = 0
    other_workshop: int = 0
    not_fusen: int = 0
    errors: list[ScanError] = field(default_factory=list)

    @property
    def foreign(self) -> int:
        return self.other_workshop + self.not_fusen

    @property
    def failed(self) -> bool:
        return bool(self.errors)


def file_page(scans: ScanStore, workshop_id: str, analysis: PageAnalysis, report: FileReport) -> None:
    """Write one page's cards and leftovers through the store and count the outcomes in the report."""
    report.pages += 1
    if analysis.error is not None:
        report.errors.append(analysis.error)
        return
    if analysis.blank_page:
        report.blank_pages += 1
    written: list[tuple[Card, EncodedImage]] = []
    for found in analysis.cards:
        match, card = classify(scans, workshop_id, found.text)
        if card is None:
            log.info('page %d of %s: QR code not filed (%s)', analysis.page, analysis.file_name, match.value)
            if match is Match.OTHER_WORKSHOP:
                report.other_workshop += 1
            else:
                report.not_fusen += 1
        elif found.cut_off:
            report.cut_off += 1
        elif found.image is None:
            report.blank += 1
        else:
            written.append((card, found.image))
    if written:
        scans.attach_images([(card.id, image) for card, image in written])
        report.filed.extend(card.code for card, _ in written)
    for leftover in analysis.leftovers:
        scans.add_leftover(workshop_id, analysis.file_name, analysis.page, leftover.image, leftover.thumbnail,
                           leftover.whole_page)
        report.leftovers += 1


def classify(scans: ScanStore, workshop_id: str, text: str) -> tuple[Match, Card | None]:
    """Tell what a QR code's text is; return the card only when it is one of this workshop's."""
    token = card_token(text)
    if token is None:
        return Match.NOT_FUSEN, None
    card = scans.store.card_by_token(token)
    if card is None:
        return Match.UNKNOWN_CARD, None
    if scans.store.session(card.session_id).workshop_id != workshop_id:
        return Match.OTHER_WORKSHOP, None
    return Match.CARD, card


def card_token(text: str) -> str | None:
    """Return the token of a card URL (``…/c/<token>``, in either case), or None for any other text."""
    try:
        parts = urlsplit(text.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in {'http', 'https'}:
        return None
    segments = parts.path.rstrip('/').split('/')
    if len(segments) < 3 or segments[-2].lower() != 'c':
        return None
    return tokens.normalize_token(segments[-1])


def file_card_photo(scans: ScanStore, card: Card, analysis: PageAnalysis,
                    whole_photo: EncodedImage | None, report: FileReport) -> None:
    """File a photo taken on one card's page onto that card and no other.

    The photo files the card's cropped writing when the card's QR code is in it, and the whole photo
    when it shows no card's QR code, because someone who photographed only the writing is still on this
    card's page. A photo that shows other cards' codes but not this one's is rejected with
    ``scan.error.other_card``, because a card's link grants access to that one card only.
    """
    report.pages += 1
    if analysis.error is not None:
        report.errors.append(analysis.error)
        return
    own = [found for found in analysis.cards if card_token(found.text) == card.token]
    if own:
        _file_own_crop(scans, card, own[0], whole_photo, report)
        return
    others = [found for found in analysis.cards if card_token(found.text) is not None]
    if others:
        log.info('photo for card %s shows %d other cards and is not filed', card.code, len(others))
        report.errors.append(ScanError('scan.error.other_card', analysis.file_name, code=card.code))
        return
    if analysis.blank_page or whole_photo is None:
        report.blank_pages += 1
        return
    scans.attach_image(card.id, whole_photo, origin='photo')
    report.filed.append(card.code)


def _file_own_crop(scans: ScanStore, card: Card, found: CardCrop, whole_photo: EncodedImage | None,
                   report: FileReport) -> None:
    """File the card's crop, or the whole photo when the card's writing area runs off the photo."""
    if found.cut_off and whole_photo is not None:
        scans.attach_image(card.id, whole_photo, origin='photo')
        report.filed.append(card.code)
    elif found.image is None:
        report.blank += 1
    else:
        scans.attach_image(card.id, found.image, origin='photo')
        report.filed.append(card.code)
