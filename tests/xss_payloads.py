"""Script-injection payloads for every field that shows user text.

Each payload, if a page ran it, would set ``window.__xss``, open a dialog, or leave an element with a
``data-xss`` attribute or the id ``xss`` in the page. A test shows the payloads and checks none of
that happened.
"""

PAYLOADS = [
    '<script>window.__xss=1</script>',
    '<script>alert(1)</script>',
    '<img src=x onerror="window.__xss=1" data-xss=1>',
    '<img src=x onerror=alert(1) data-xss>',
    '<svg onload=alert(1) data-xss>',
    '<svg><script>window.__xss=1</script></svg>',
    '<body onload=alert(1)>',
    '<iframe src="javascript:alert(1)" data-xss></iframe>',
    '<iframe srcdoc="<script>parent.__xss=1</script>" data-xss></iframe>',
    '<a href="javascript:alert(1)" data-xss>押して</a>',
    '<a id=xss href=# onclick="window.__xss=1">x</a>',
    '<div id="xss" onmouseover="alert(1)">hover</div>',
    '<input autofocus onfocus=alert(1) data-xss>',
    '<select autofocus onfocus=alert(1) data-xss>',
    '<textarea autofocus onfocus=alert(1) data-xss>',
    '<details open ontoggle=alert(1) data-xss>',
    '<video><source onerror=alert(1) data-xss></video>',
    '<audio src=x onerror=alert(1) data-xss>',
    '<marquee onstart=alert(1) data-xss>',
    '<object data="javascript:alert(1)" data-xss>',
    '<embed src="javascript:alert(1)" data-xss>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1) data-xss>',
    '<style>@import "javascript:alert(1)";</style><b data-xss>',
    '<link rel=stylesheet href="javascript:alert(1)" data-xss>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<form action="javascript:alert(1)"><button data-xss>送信</button></form>',
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1) data-xss>",
    '"onmouseover="alert(1)" data-xss="',
    "' onfocus='alert(1)' autofocus data-xss='",
    '</textarea><script>alert(1)</script>',
    '</title><script>alert(1)</script>',
    '</script><script>alert(1)</script>',
    '<!--<img src="--><img src=x onerror=alert(1) data-xss>',
    '<scr<script>ipt>alert(1)</scr</script>ipt>',
    '<SCRIPT SRC=//127.0.0.1/x.js></SCRIPT>',
    '<ScRiPt>window.__xss=1</sCrIpT>',
    '<img src="x" onerror="&#97;&#108;&#101;&#114;&#116;(1)" data-xss>',
    '<img src=x onerror=\\u0061lert(1) data-xss>',
    '&lt;script&gt;alert(1)&lt;/script&gt;',
    '{{constructor.constructor("alert(1)")()}}',
    '${alert(1)}',
    '{{ $eval("alert(1)") }}',
    '<div v-html="\'<img src=x onerror=alert(1) data-xss>\'"></div>',
    '<span v-on:click="alert(1)" data-xss>click</span>',
    '[click me](javascript:alert(1))',
    '![x](x" onerror="alert(1))',
    '<x onclick=alert(1) data-xss>駅前</x>',
    '<b data-xss>太字</b>で駐輪場',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    '<img src=x onerror=alert`1` data-xss>',
    '<svg><animate onbegin=alert(1) attributeName=x dur=1s data-xss>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1) data-xss>">',
    '<table background="javascript:alert(1)" data-xss>',
    '<isindex type=image src=1 onerror=alert(1) data-xss>',
    '<keygen autofocus onfocus=alert(1) data-xss>',
    '\u202e<script>alert(1)</script>',
    '<script\x00>alert(1)</script>',
    '<i id=xss>',
    '<u data-xss>x</u>',
    '<img src=x id=xss>',
    '<p data-xss>島</p>',
    '<svg id=xss>',
]

# JavaScript that returns what an executed payload would have left behind.
EVIDENCE_SCRIPT = '''() => ({
    flag: window.__xss === 1,
    marked: document.querySelectorAll('[data-xss], #xss').length,
})'''


def fitting(limit: int) -> list[str]:
    """Return the payloads that fit a field with this many characters, so none is rejected for length."""
    return [payload for payload in PAYLOADS if len(payload) <= limit]
