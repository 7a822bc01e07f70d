"""Cleaning typed text, tokens, and the URLs that QR codes carry."""
import pytest

from workshop import config, text, tokens, urls


@pytest.mark.parametrize('raw, cleaned', [
    ('  駐輪場  ', '駐輪場'),
    ('a\x00b\x07c', 'abc'),
    ('右\u202e左', '右左'),
    ('ゼロ\u200b幅', 'ゼロ幅'),
    ('全角\u3000スペース', '全角 スペース'),
    ('ｶﾞ', 'ｶﾞ'),
    ('が', 'が'),  # NFD input comes out composed
    ('一行目\r\n\r\n\r\n\r\n二行目', '一行目\n\n二行目'),
])
def test_clean(raw: str, cleaned: str) -> None:
    assert text.clean(raw, multiline=True) == cleaned


def test_single_line_clean_joins_lines() -> None:
    assert text.clean('うに\nたろう') == 'うに たろう'


def test_emoji_sequences_survive() -> None:
    assert text.clean('👨\u200d👩\u200d👧 ❤️') == '👨\u200d👩\u200d👧 ❤️'


@pytest.mark.parametrize('value, expected', [('abc', 3), ('👨\u200d👩\u200d👧', 1), ('か\u3099', 1), ('🇯🇵', 1)])
def test_length_counts_what_people_see(value: str, expected: int) -> None:
    assert text.length(value) == expected


def test_token_has_160_bits() -> None:
    token = tokens.new_token()
    assert len(token) == tokens.TOKEN_LENGTH
    assert tokens.normalize_token(token.lower()) == token


@pytest.mark.parametrize('candidate', ['', 'abc', 'A' * 31, 'A' * 33, '0' * 32, '../../etc/passwd'])
def test_malformed_token_rejected(candidate: str) -> None:
    assert tokens.normalize_token(candidate) is None


@pytest.mark.parametrize('position, letters', [(0, 'A'), (25, 'Z'), (26, 'AA'), (27, 'AB')])
def test_session_letter(position: int, letters: str) -> None:
    assert tokens.session_letter(position) == letters


def test_lan_card_url_upper_cased_for_qr() -> None:
    url = urls.card_url('http://192.168.1.20:8080', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')
    assert urls.qr_text(url) == 'HTTP://192.168.1.20:8080/C/ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'


def test_sub_path_url_keeps_case() -> None:
    url = urls.card_url('https://city.example.jp/fusen', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')
    assert urls.qr_text(url) == url


@pytest.mark.parametrize(('host', 'expected'), [
    ('127.0.0.1', 'http://127.0.0.1:8123'),
    ('::1', 'http://[::1]:8123'),
    ('0.0.0.0', f'http://{config.lan_address()}:8123'),
])
def test_default_public_url_follows_host(host: str, expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv('FUSEN_PUBLIC_URL')
    assert config.make_settings(host=host, port=8123).public_url == expected
