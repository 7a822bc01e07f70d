"""Filing what a page analysis found: each card's handwriting onto its note, leftovers kept, strangers reported."""
import logging
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

from workshop import tokens
from workshop.model import Card
from workshop.scans_store import ScanStore

from .analysis import PageAnalysis
from .images import EncodedImage
from .errors import ScanError

log = logging.getLogger(__name__)


class Match(StrEnum):
    """What a QR code's text turned out to be."""

    CARD = 'card'  # a card of the workshop being scanned
    OTHER_WORKSHOP = 'other_workshop'
    UNKNOWN_CARD = 'unknown_card'  # a card URL whose token no workshop here has: another Fusen, or forged
    NOT_FUSEN = 'not_fusen'


@dataclass
class FileReport:
    """What happened to one file: counts per outcome and the errors, each naming the file."""

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
            scans.attach_image(card.id, found.image)
            report.filed.append(card.code)
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
    """File a photo taken on one card's page: every card it shows, and the whole photo when this card's code is not in it."""
    file_page(scans, scans.store.session(card.session_id).workshop_id,
              PageAnalysis(file_name=analysis.file_name, page=analysis.page, cards=analysis.cards,
                           error=analysis.error), report)
    if analysis.error is None and card.code not in report.filed and whole_photo is not None:
        # Someone who photographed only the writing is still on this card's page, so the card is known.
        scans.attach_image(card.id, whole_photo, origin='photo')
        report.filed.append(card.code)
