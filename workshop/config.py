"""Settings of one Fusen instance: where its data lives and which URL QR codes encode."""
import ipaddress
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psutil

log = logging.getLogger(__name__)

DEFAULT_PORT = 8080
DATABASE_NAME = 'fusen.db'
STORAGE_SECRET_NAME = 'storage_secret'


@dataclass(frozen=True)
class Limits:
    """Maximum lengths of what people type, counted in characters as people see them."""

    note: int = 140
    nickname: int = 20
    title: int = 80
    session_name: int = 30
    question: int = 200
    venue: int = 80
    cards_per_session: int = 500
    notes_per_minute: int = 10  # per participant or card; 0 turns the limit off
    requests_per_minute: int = 100  # page requests per IP address; 0 turns the limit off


@dataclass(frozen=True)
class Settings:
    """The data folder of one instance and the public URL that phones reach it by."""

    data_dir: Path
    public_url: str
    host: str = '0.0.0.0'
    port: int = DEFAULT_PORT
    limits: Limits = Limits()

    @property
    def database_path(self) -> Path:
        return self.data_dir / DATABASE_NAME


def make_settings(data_dir: str | Path | None = None, public_url: str | None = None,
                  host: str = '0.0.0.0', port: int = DEFAULT_PORT, *, notes_per_minute: int | None = None,
                  requests_per_minute: int | None = None) -> Settings:
    """Build settings from the arguments, then FUSEN_* environment variables, then defaults.

    :raises ValueError: if the public URL is not an absolute http(s) URL or a rate limit is negative
    """
    folder = Path(data_dir or os.environ.get('FUSEN_DATA_DIR') or default_data_dir()).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    url = public_url or os.environ.get('FUSEN_PUBLIC_URL') or f'http://{_reachable_host(host)}:{port}'
    limits = Limits(
        notes_per_minute=_rate(notes_per_minute, 'FUSEN_NOTES_PER_MINUTE', Limits.notes_per_minute),
        requests_per_minute=_rate(requests_per_minute, 'FUSEN_REQUESTS_PER_MINUTE', Limits.requests_per_minute),
    )
    return Settings(data_dir=folder, public_url=normalize_public_url(url), host=host, port=port, limits=limits)


def _rate(value: int | None, variable: str, default: int) -> int:
    if value is None:
        value = int(os.environ.get(variable) or default)
    if value < 0:
        raise ValueError(f'rate limit {value} is negative; use 0 to turn the limit off')
    return value


def default_data_dir() -> Path:
    """Return ``data/`` beside run.py, the folder where an instance keeps its files by default."""
    return Path(__file__).resolve().parent.parent / 'data'


def normalize_public_url(url: str) -> str:
    """Return the URL without a trailing slash.

    :raises ValueError: if the URL is not an absolute http(s) URL
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in {'http', 'https'} or not parts.netloc:
        raise ValueError(f'public URL {url!r} is not an absolute http(s) URL; use for example http://192.168.1.20:8080')
    return url.strip().rstrip('/')


def _reachable_host(host: str) -> str:
    """Return the host that QR codes should name: the LAN address when serving on every interface, else the host."""
    if host in {'0.0.0.0', '::', ''}:
        return lan_address()
    return f'[{host}]' if ':' in host else host


def lan_address() -> str:
    """Return the first private IPv4 address of an active interface, or 127.0.0.1 if there is none.

    Phones on the venue Wi-Fi reach the laptop at this address, so QR codes encode it by default.
    It reads the interface table only and sends no packet.
    """
    stats = psutil.net_if_stats()
    for name, addresses in psutil.net_if_addrs().items():
        if name in stats and not stats[name].isup:
            continue
        for address in addresses:
            if address.family.name != 'AF_INET':
                continue
            ip = ipaddress.ip_address(address.address)
            if ip.is_private and not ip.is_loopback and not ip.is_link_local:
                return str(ip)
    log.warning('no private IPv4 address found; QR codes will point at 127.0.0.1 unless --public-url is given')
    return '127.0.0.1'


def storage_secret(data_dir: Path) -> str:
    """Return the secret that signs browser cookies, from FUSEN_STORAGE_SECRET or a file in the data folder.

    The file is created on first use, so the secret never sits in the repository.
    """
    from_env = os.environ.get('FUSEN_STORAGE_SECRET')
    if from_env:
        return from_env
    path = data_dir / STORAGE_SECRET_NAME
    if not path.exists():
        path.write_text(secrets.token_urlsafe(32), encoding='utf-8')
        path.chmod(0o600)
        log.info('created a new storage secret in %s', path)
    return path.read_text(encoding='utf-8').strip()
