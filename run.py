"""Fusen's entry point: ``python run.py`` serves the app; subcommands do the organiser's jobs.

Run ``python run.py --help`` for the options and ``python run.py COMMAND --help`` for a command.
"""
import argparse
import logging
import os
import sys
from contextlib import closing
from datetime import datetime
from pathlib import Path

from workshop import access, demo, i18n
from workshop.config import DEFAULT_PORT, Settings, make_settings, storage_secret
from workshop.export import export_data, to_csv, to_json
from workshop.model import Workshop
from workshop.store import NotFound, Store
from workshop.text import InvalidText
from workshop.urls import board_url, facilitator_url, join_url

log = logging.getLogger('fusen')


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen command; return the exit code."""
    if os.environ.get('NICEGUI_USER_SIMULATION'):
        serve(make_settings(), demo_data=False)  # pytest's command line is not ours to parse
        return 0

    language = cli_language()
    parser = build_parser(language)
    args = parser.parse_args(argv)
    try:
        settings = make_settings(args.data_dir, args.public_url, args.host, args.port,
                                 notes_per_minute=args.notes_per_minute, requests_per_minute=args.requests_per_minute)
        if args.command is None:
            _configure_logging(logging.INFO)
            serve(settings, demo_data=args.demo)
            return 0
        # A command prints its result and each of its errors in the user's language, and log lines would bury them.
        _configure_logging(logging.ERROR)
        with closing(Store(settings.database_path, settings.limits)) as store:
            return args.handler(args, store, settings, language)
    except CommandError as error:
        print(f'{parser.prog}: {i18n.translate(language, "cli.error")}: {error}', file=sys.stderr)
        return 1
    except (NotFound, ValueError) as error:
        message = i18n.error_message(language, error) if isinstance(error, InvalidText) else str(error)
        print(f'{parser.prog}: {i18n.translate(language, "cli.error")}: {message}', file=sys.stderr)
        return 1


def serve(settings: Settings, *, demo_data: bool) -> None:
    """Serve the app on the settings' host and port until interrupted."""
    from nicegui import app, ui
    from nicegui.storage import Storage

    from sessions import tuning
    from sessions.app import register

    store = Store(settings.database_path, settings.limits)
    if demo_data and not store.workshops():
        created = demo.create_demo(store)
        log.info('created demo workshop %s', created.workshop.id)
        print(f'demo facilitator page: {facilitator_url(settings.public_url, created.facilitator_key)}', flush=True)
    register(store, settings)
    app.on_startup(lambda: log.info('Fusen started on %s:%d (pid %d)', settings.host, settings.port, os.getpid()))
    app.on_shutdown(store.close)
    app.on_shutdown(lambda: log.info('Fusen stopped (pid %d)', os.getpid()))
    tuning.install_gc_policy()
    tuning.install_signature_cache()
    tuning.install_quiet_outbox()
    tuning.install_socket_bypass()
    tuning.install_request_release()
    tuning.load_printouts()
    if not os.environ.get('NICEGUI_USER_SIMULATION'):
        Storage.path = settings.data_dir / 'browser-storage'
        log.info('serving on %s:%d, QR codes point to %s', settings.host, settings.port, settings.public_url)
    ui.run(host=settings.host, port=settings.port, title='Fusen', language='ja', show=False, reload=False,
           # A phone that sleeps longer than NiceGUI's 3 s default loses its page and the draft in it.
           storage_secret=storage_secret(settings.data_dir), reconnect_timeout=60.0, show_welcome_message=False,
           access_log=False,  # access log lines would carry card and join tokens in their paths
           gzip_middleware_factory=tuning.gzip_middleware_factory())


def build_parser(language: str) -> argparse.ArgumentParser:
    """Build the command-line parser with help texts, and argparse's own messages, in the given language."""
    _translate_argparse(language)

    def t(key: str, **params: object) -> str:
        return i18n.translate(language, key, **params)

    def common_options(defaults: dict[str, object]) -> argparse.ArgumentParser:
        common = argparse.ArgumentParser(add_help=False)
        common.add_argument('--data-dir', type=Path, default=defaults['data_dir'], help=t('cli.help.data_dir'))
        common.add_argument('--public-url', default=defaults['public_url'], help=t('cli.help.public_url'))
        common.add_argument('--host', default=defaults['host'], help=t('cli.help.host'))
        common.add_argument('--port', type=int, default=defaults['port'], help=t('cli.help.port'))
        return common

    # The options may come before or after the command. A subcommand's parser would write its own
    # defaults over values given before the command, so its copies of the options have none.
    parser = argparse.ArgumentParser(prog='run.py', description=t('cli.description'), parents=[common_options(
        {'data_dir': None, 'public_url': None, 'host': '0.0.0.0', 'port': DEFAULT_PORT})])
    common = common_options(dict.fromkeys(('data_dir', 'public_url', 'host', 'port'), argparse.SUPPRESS))
    parser.add_argument('--demo', action='store_true', help=t('cli.help.demo'))
    parser.add_argument('--notes-per-minute', type=int, help=t('cli.help.notes_per_minute'))
    parser.add_argument('--requests-per-minute', type=int, help=t('cli.help.requests_per_minute'))
    parser.set_defaults(command=None, notes_per_minute=None, requests_per_minute=None)
    commands = parser.add_subparsers(title=t('cli.commands'), dest='command')

    new = commands.add_parser('new', parents=[common], help=t('cli.new.help'))
    new.add_argument('title', help=t('cli.new.title'))
    new.add_argument('--session', action='append', default=[], metavar='NAME', help=t('cli.new.session'))
    new.add_argument('--date', default='', help=t('cli.new.date'))
    new.add_argument('--venue', default='', help=t('cli.new.venue'))
    new.add_argument('--question', default='', help=t('cli.new.question'))
    new.add_argument('--pin', help=t('cli.new.pin'))
    new.set_defaults(handler=command_new)

    cards = commands.add_parser('cards', parents=[common], help=t('cli.cards.help'))
    cards.add_argument('workshop', help=t('cli.workshop'))
    cards.add_argument('--session', metavar='NAME', help=t('cli.cards.session'))
    cards.add_argument('--sheets', type=_positive_int, default=1, help=t('cli.cards.sheets'))
    cards.add_argument('-o', '--output', type=Path, required=True, help=t('cli.output_pdf'))
    cards.set_defaults(handler=command_cards)

    minutes = commands.add_parser('minutes', parents=[common], help=t('cli.minutes.help'))
    minutes.add_argument('workshop', help=t('cli.workshop'))
    minutes.add_argument('-o', '--output', type=Path, required=True, help=t('cli.output_pdf'))
    minutes.add_argument('--lang', choices=i18n.LANGUAGES, default=language, help=t('cli.lang'))
    minutes.set_defaults(handler=command_minutes)

    export = commands.add_parser('export', parents=[common], help=t('cli.export.help'))
    export.add_argument('workshop', help=t('cli.workshop'))
    export.add_argument('--format', choices=['json', 'csv'], default='json', help=t('cli.export.format'))
    export.add_argument('-o', '--output', type=Path, help=t('cli.export.output'))
    export.set_defaults(handler=command_export)

    posters = commands.add_parser('posters', parents=[common], help=t('cli.posters.help'))
    posters.add_argument('workshop', help=t('cli.workshop'))
    posters.add_argument('-o', '--output', type=Path, required=True, help=t('cli.posters.output'))
    posters.add_argument('--lang', choices=i18n.LANGUAGES, default=language, help=t('cli.lang'))
    posters.set_defaults(handler=command_posters)

    backup = commands.add_parser('backup', parents=[common], help=t('cli.backup.help'))
    backup.add_argument('-o', '--output', type=Path, help=t('cli.backup.output'))
    backup.set_defaults(handler=command_backup)

    ingest = commands.add_parser('ingest', parents=[common], help=t('scan.cli.help'))
    ingest.add_argument('workshop', help=t('cli.workshop'))
    ingest.add_argument('files', nargs='+', type=Path, metavar='FILE', help=t('scan.cli.files'))
    ingest.add_argument('--lang', choices=i18n.LANGUAGES, default=language, help=t('cli.lang'))
    ingest.add_argument('--workers', type=_positive_int, default=2, help=t('scan.cli.workers'))
    ingest.set_defaults(handler=command_ingest)
    return parser


def command_new(args: argparse.Namespace, store: Store, settings: Settings, language: str) -> int:
    """Create a workshop and print its id, facilitator URL and join URL."""
    if args.pin is not None and access.normalize_pin(args.pin) is None:
        raise CommandError(i18n.translate(language, 'access.pin_invalid'))
    created = store.create_workshop(args.title, date=args.date, venue=args.venue, question=args.question,
                                    sessions=[(name, '') for name in args.session])
    workshop = created.workshop
    if args.pin is not None:
        access.set_pin(store, workshop.id, args.pin)
    print(f'workshop: {workshop.id}')
    print(f'facilitator: {facilitator_url(settings.public_url, created.facilitator_key)}')
    print(f'join: {join_url(settings.public_url, workshop.join_token)}')
    print(f'board: {board_url(settings.public_url, workshop.id)}')
    for session in created.sessions:
        print(f'join {session.letter} {session.name}: {join_url(settings.public_url, session.join_token)}')
    # The lines above stay in English "key: value" form for scripts. The warning goes to stderr in the user's language.
    print(i18n.translate(language, 'cli.new.keep_link'), file=sys.stderr)
    return 0


def command_cards(args: argparse.Namespace, store: Store, settings: Settings, language: str) -> int:
    """Create new cards and write their sheets as one PDF."""
    from printouts.cards import card_sheets_pdf

    workshop = _find_workshop(store, args.workshop, language)
    _check_folder(args.output, language)  # before any card is created, so a bad path leaves none behind
    sessions = store.sessions(workshop.id)
    if args.session:
        sessions = [session for session in sessions if session.name == args.session.strip()]
        if not sessions:
            raise CommandError(i18n.translate(language, 'cli.session_not_found', name=args.session, id=workshop.id))
    cards = []
    for session in sessions:
        cards += store.create_cards(session.id, args.sheets * 10)
    pdf = card_sheets_pdf(workshop, store.sessions(workshop.id), cards, settings.public_url, language)
    _write(args.output, pdf, language)
    print(i18n.translate(language, 'cli.cards.done', count=len(cards), path=args.output))
    return 0


def command_minutes(args: argparse.Namespace, store: Store, settings: Settings, language: str) -> int:
    """Write the minutes PDF of a workshop."""
    from printouts.minutes import workshop_minutes_pdf

    workshop = _find_workshop(store, args.workshop, language)
    pdf = workshop_minutes_pdf(store, workshop, args.lang)
    _write(args.output, pdf, language)
    print(i18n.translate(language, 'cli.minutes.done', path=args.output))
    return 0


def command_export(args: argparse.Namespace, store: Store, settings: Settings, language: str) -> int:
    """Write the JSON or CSV export to a file or standard output."""
    data = export_data(store, _find_workshop(store, args.workshop, language).id)
    content = to_json(data) if args.format == 'json' else to_csv(data)
    if args.output:
        _write(args.output, content.encode('utf-8'), language)
    else:
        sys.stdout.write(content)
    return 0


def command_posters(args: argparse.Namespace, store: Store, settings: Settings, language: str) -> int:
    """Write a join poster (PDF to print, PNG for LINE) for the workshop and for each session into a folder."""
    from printouts.poster_image import join_poster_png
    from printouts.posters import join_poster_pdf

    workshop = _find_workshop(store, args.workshop, language)
    try:
        args.output.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # a file of that name, or no permission
        raise CommandError(i18n.translate(language, 'cli.cannot_make_folder', path=args.output)) from error
    written = 0
    for session in [None, *store.sessions(workshop.id)]:
        stem = args.output / (f'poster-{session.letter}' if session else 'poster-all')
        stem.with_suffix('.pdf').write_bytes(join_poster_pdf(workshop, session, settings.public_url, args.lang))
        stem.with_suffix('.png').write_bytes(join_poster_png(workshop, session, settings.public_url, args.lang))
        written += 2
    print(i18n.translate(language, 'cli.posters.done', count=written, path=args.output))
    return 0


def command_backup(args: argparse.Namespace, store: Store, settings: Settings, language: str) -> int:
    """Copy the database (with what still sits in the WAL) and its images into a new folder, also while the app runs."""
    target = args.output or settings.data_dir / 'backups' / f'fusen-{datetime.now():%Y%m%d-%H%M%S}'
    if args.output is None:
        target.parent.mkdir(exist_ok=True)
    _check_folder(target, language)
    if target.exists():
        raise CommandError(i18n.translate(language, 'cli.backup.exists', path=target))
    result = store.backup(target)
    print(i18n.translate(language, 'cli.backup.done', path=target, database=result.database.name,
                         count=result.images))
    if result.missing:
        print(i18n.translate(language, 'cli.backup.missing_images', count=len(result.missing),
                             path=settings.data_dir / 'images'), file=sys.stderr)
    return 0


def command_ingest(args: argparse.Namespace, store: Store, settings: Settings, language: str) -> int:
    """File scanned PDFs and photos onto a workshop's cards, with a progress bar; exit 1 if any file failed."""
    from tqdm import tqdm

    from workshop.scan.ingest import ingest_files
    from workshop.scans_store import ScanStore

    workshop = _find_workshop(store, args.workshop, language)
    t = lambda key, **params: i18n.translate(args.lang, key, **params)  # noqa: E731
    missing = [path for path in args.files if not Path(path).is_file()]
    with tqdm(total=0, unit=t('scan.cli.progress'), file=sys.stderr) as bar:
        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        found = [path for path in args.files if path not in missing]
        reports = ingest_files(ScanStore(store), workshop.id, found, workers=args.workers, progress=progress)
    for path in missing:
        print(f'run.py: {t("cli.error")}: {t("cli.file_not_found", path=path)}', file=sys.stderr)
    for report in reports:
        for error in report.errors:
            print(f'run.py: {t("cli.error")}: {t(error.message_key, name=report.name, **error.params)}', file=sys.stderr)
    print(t('scan.cli.summary', files=len(args.files), pages=sum(r.pages for r in reports),
            filed=sum(len(r.filed) for r in reports), blank=sum(r.blank for r in reports),
            leftovers=sum(r.leftovers for r in reports), foreign=sum(r.foreign for r in reports),
            errors=len(missing) + sum(len(r.errors) for r in reports)))
    return 1 if missing or any(report.errors for report in reports) else 0


def cli_language() -> str:
    """Pick the terminal's language from FUSEN_LANG or LANG: English for en*, Japanese otherwise."""
    value = os.environ.get('FUSEN_LANG') or os.environ.get('LANG') or ''
    return 'en' if value.lower().startswith('en') else 'ja'


def _configure_logging(level: int) -> None:
    logging.basicConfig(level=level, format='%(asctime)s %(levelname)s %(name)s: %(message)s')


class CommandError(Exception):
    """A bad input to a command, with the one-line message to print."""


def _find_workshop(store: Store, workshop_id: str, language: str) -> Workshop:
    workshop = store.find_workshop(workshop_id)
    if workshop is None:
        raise CommandError(i18n.translate(language, 'cli.workshop_not_found', id=workshop_id))
    return workshop


def _check_folder(path: Path, language: str) -> None:
    if not path.parent.is_dir():
        raise CommandError(i18n.translate(language, 'cli.no_folder', path=path.parent))


def _write(path: Path, content: bytes, language: str) -> None:
    _check_folder(path, language)
    path.write_bytes(content)


def _translate_argparse(language: str) -> None:
    """Show argparse's usage line and argument errors in the language, from workshop/locales/*/argparse.po."""
    messages = i18n.catalogue(language)

    def gettext(message: str) -> str:
        return messages.get(message) or message

    def ngettext(singular: str, plural: str, count: int) -> str:
        return gettext(singular if count == 1 else plural)

    # NOTE: argparse looks its messages up through the gettext functions it imported as _ and ngettext.
    # Replacing them applies to every parser in the process, which is only this command line's.
    argparse._ = gettext  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1 or value > 50:
        raise argparse.ArgumentTypeError(i18n.translate(cli_language(), 'cli.number_range', value=text))
    return value


if __name__ in {'__main__', '__mp_main__'}:
    exit_code = main()
    if exit_code and not os.environ.get('NICEGUI_USER_SIMULATION'):
        sys.exit(exit_code)
