"""Two instances of the site behind one database, one Redis and one S3 server act as one site.

The check of issue 12, shared by tests/test_cross_instance.py and `scripts/prod_local.py --check`:
plain HTTP (http.client), no Django import, so it runs against any two running instances.

- `check_pledge`: an anonymous visitor reads a campaign page on B (twice: the second answer comes
  from the page cache); a citizen pledges through A with the demo payment provider, as a browser
  does (pledge form, CSRF token, demo checkout); the very next anonymous read of B's campaign page
  shows the new pledge: the amount raised, the number of backers and the backer's public name.
- `check_image`: the demo admin logs into Wagtail's admin through A and uploads a PNG there; with
  the same session (sessions live in the shared database) B lists the image and shows it in its
  edit page; B's preview (a rendition) and the original are served by the S3 server's media bucket.

Production cookies are `Secure`: a browser sends them to http://127.0.0.1 or http://localhost (a
secure context), but Python's cookie jar never does over plain HTTP. `Visitor` keeps its cookies by
hand: it reads every Set-Cookie and sends them back in a Cookie header. Like a browser, it sends a
host's cookies to every port of that host: A and B share the session, as behind one domain.
"""

from __future__ import annotations

import html
import http.client
import re
import struct
import uuid
import zlib
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit

DEMO_ADMIN = ("admin@example.org", "coupdepouce-demo")  # demo/loader.py, documented in the README
DEMO_CARD = "4242424242424242"  # payments/demo_gateway.py: "payment accepted"
RAISED_LABELS = ("Collecté", "Raised")  # the funding box's figures (projects/.../campaign_page.html)
BACKERS_LABELS = ("Contributeurs", "Backers")
IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG", b"RIFF": "WebP"}


class CheckFailed(AssertionError):
    pass


def ensure(condition, message):
    if not condition:
        raise CheckFailed(message)


# --------------------------------------------------------------------------- HTTP


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    url: str

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


class Visitor:
    """One browser: cookies kept by hand (see the module docstring), redirects followed."""

    def __init__(self, keep_cookies: bool = True):
        self.keep_cookies = keep_cookies
        self.cookies: dict[str, str] = {}

    def get(self, url: str, **kwargs) -> Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, fields: dict, files: dict | None = None, **kwargs) -> Response:
        if files:
            boundary = uuid.uuid4().hex
            body = multipart(fields, files, boundary)
            content_type = f"multipart/form-data; boundary={boundary}"
        else:
            body = urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        return self.request("POST", url, body=body, headers={"Content-Type": content_type}, **kwargs)

    def request(self, method, url, body=None, headers=None, follow=True) -> Response:
        for _hop in range(10):
            response = self._send(method, url, body, headers or {})
            location = response.header("Location")
            if not follow or response.status not in (301, 302, 303, 307, 308) or not location:
                return response
            url = urljoin(url, location)
            if response.status in (301, 302, 303):
                method, body, headers = "GET", None, None
        raise CheckFailed(f"{url}: too many redirects")

    def _send(self, method, url, body, headers) -> Response:
        parts = urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        headers = {**headers, "Accept-Language": "fr"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            response = Response(answer.status, answer.headers, answer.read(), url)
        finally:
            connection.close()
        if self.keep_cookies:
            for line in response.headers.get_all("Set-Cookie") or []:
                self._store(line)
        return response

    def _store(self, line: str) -> None:
        cookie = SimpleCookie()
        cookie.load(line)
        for name, morsel in cookie.items():
            expired = morsel["max-age"] == "0" or "1970" in morsel["expires"]
            if expired or not morsel.value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value


def multipart(fields: dict, files: dict, boundary: str) -> bytes:
    """multipart/form-data: `files` maps a field to (filename, content type, bytes)."""
    chunks = []
    for name, value in fields.items():
        chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content_type, content) in files.items():
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks)


# --------------------------------------------------------------------------- HTML


class _Forms(HTMLParser):
    """The forms of a page: action, and the default value of every named field."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "fields": {}, "names": set()})
            return
        if not self.forms:
            return
        fields, names = self.forms[-1]["fields"], self.forms[-1]["names"]
        name = attrs.get("name")
        if tag == "input" and name:
            names.add(name)
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    fields[name] = attrs.get("value") or "on"
            elif kind not in ("submit", "button", "file"):
                fields[name] = attrs.get("value") or ""
        elif tag == "select" and name:
            names.add(name)
            self._select = name
        elif tag == "option" and self._select:
            if self._select not in fields or "selected" in attrs:
                fields[self._select] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            names.add(name)
            fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def form_with(page: Response, field: str) -> dict:
    """The first form of `page` that has `field`: {"action": absolute URL, "fields": defaults}."""
    parser = _Forms()
    parser.feed(page.text)
    for form in parser.forms:
        if field in form["names"]:
            return {**form, "action": urljoin(page.url, html.unescape(form["action"]))}
    raise CheckFailed(f"{page.url}: no form with a field {field!r} (status {page.status})")


def links(page: Response, pattern: str) -> list[str]:
    """Absolute URLs of the links whose href matches `pattern` (a regular expression), in order."""
    found = [html.unescape(href) for href in re.findall(r'href="([^"]+)"', page.text)]
    return list(dict.fromkeys(urljoin(page.url, href) for href in found if re.fullmatch(pattern, href)))


def figures(page: Response) -> dict:
    """The campaign page's funding figures: {"raised_cents": int, "backers": int}."""
    box = re.search(r'<dl class="figures">(.*?)</dl>', page.text, re.S)
    ensure(box, f'{page.url}: no funding figures (<dl class="figures">)')
    pairs = {
        html.unescape(label).strip(): html.unescape(value).strip()
        for label, value in re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", box.group(1), re.S)
    }
    raised = next((pairs[label] for label in RAISED_LABELS if label in pairs), None)
    backers = next((pairs[label] for label in BACKERS_LABELS if label in pairs), None)
    ensure(raised is not None and backers is not None, f"{page.url}: figures without raised or backers: {pairs}")
    return {"raised_cents": cents(raised), "backers": int(re.sub(r"\D", "", backers))}


def cents(amount: str) -> int:
    """ "1 234,50 €" or "€1,234.50" → 123450; "1 234 €" → 123400."""
    whole, decimals = re.fullmatch(r"(.*?)(?:[,.](\d{2}))?", re.sub(r"[^\d,.]", "", amount)).groups()
    return int(re.sub(r"\D", "", whole) or 0) * 100 + int(decimals or 0)


def errors_of(page: Response) -> str:
    """The error messages a form shows, for a failure's message."""
    found = re.findall(r'class="[^"]*(?:error|errorlist)[^"]*"[^>]*>(.*?)</', page.text, re.S)
    return "; ".join(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip() for item in found if item.strip())


def png(width: int = 48, height: int = 32, colour: tuple = (200, 80, 40)) -> bytes:
    """A small opaque PNG, made here (no imaging library needed)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(colour) * width
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def image_type(body: bytes) -> str | None:
    for magic, name in IMAGE_TYPES.items():
        if body.startswith(magic) and (name != "WebP" or body[8:12] == b"WEBP"):
            return name
    return None


# --------------------------------------------------------------------------- the checks


def open_campaign(base_url: str) -> str:
    """The URL of the first campaign of the sitemap that takes pledges (its page has the "Support
    this project" button). The sitemap renders no image: cheaper than the project index."""
    visitor = Visitor(keep_cookies=False)
    sitemap = visitor.get(base_url + "/sitemap.xml")
    ensure(sitemap.status == 200, f"{sitemap.url}: status {sitemap.status}")
    for address in re.findall(r"<loc>([^<]+)</loc>", sitemap.text):
        path = urlsplit(html.unescape(address)).path
        if re.fullmatch(r"/projets/[\w-]+/", path):
            page = visitor.get(base_url + path)
            if page.status == 200 and "data-pledge-open" in page.text:
                return page.url
    raise CheckFailed(f"{sitemap.url}: no campaign open to pledges")


def check_pledge(url_a: str, url_b: str, *, page_cache: bool = True) -> dict:
    """A pledge made through A shows at once on B's campaign page (module docstring).

    `page_cache`: B's second anonymous read must come from the page cache (`X-Page-Cache: hit`).
    Returns what was seen, for the caller's report.
    """
    campaign_b = open_campaign(url_b)
    path = urlsplit(campaign_b).path
    anonymous = Visitor(keep_cookies=False)  # no session cookie: the page cache may answer
    anonymous.get(campaign_b)
    before = anonymous.get(campaign_b)
    ensure(before.status == 200, f"{campaign_b}: status {before.status}")
    if page_cache:
        ensure(
            before.header("X-Page-Cache") == "hit",
            f"{campaign_b}: the second anonymous read was not served by the page cache "
            f"(X-Page-Cache: {before.header('X-Page-Cache')!r})",
        )
    figures_before = figures(before)

    run = uuid.uuid4().hex[:8]
    amount_euros = 17
    public_name = f"Témoin {run}"
    citizen = Visitor()
    form_page = citizen.get(url_a + path + "soutenir/")
    ensure(form_page.status == 200, f"{form_page.url}: status {form_page.status}")
    form = form_with(form_page, "amount")
    fields = {
        "csrfmiddlewaretoken": form["fields"]["csrfmiddlewaretoken"],
        "reward": "",
        "amount": str(amount_euros),
        "backer_name": f"Camille Témoin {run}",
        "backer_email": f"temoin-{run}@example.org",
        "public_name": public_name,
        "show_amount": "on",
        "consent": "on",
    }
    checkout_page = citizen.post(form["action"], fields)
    ensure(
        checkout_page.status == 200 and urlsplit(checkout_page.url).port == urlsplit(url_a).port,
        f"{form['action']}: the pledge form did not lead to A's demo checkout "
        f"(status {checkout_page.status}, {checkout_page.url}): {errors_of(checkout_page)}",
    )
    checkout = form_with(checkout_page, "card_number")
    thanks = citizen.post(
        checkout["action"],
        {"csrfmiddlewaretoken": checkout["fields"]["csrfmiddlewaretoken"], "card_number": DEMO_CARD, "action": "pay"},
    )
    ensure(
        thanks.status == 200 and "/paiement/merci/" in thanks.url,
        f"{checkout['action']}: the demo payment did not end on the thanks page "
        f"(status {thanks.status}, {thanks.url}): {errors_of(thanks)}",
    )

    # At once: no wait, no retry.
    after = anonymous.get(campaign_b)
    ensure(after.status == 200, f"{campaign_b}: status {after.status}")
    figures_after = figures(after)
    expected = {
        "raised_cents": figures_before["raised_cents"] + amount_euros * 100,
        "backers": figures_before["backers"] + 1,
    }
    ensure(
        figures_after == expected,
        f"{campaign_b}: after a pledge of {amount_euros} € through A, B shows {figures_after}, "
        f"expected {expected} (before: {figures_before}; X-Page-Cache: {after.header('X-Page-Cache')!r})",
    )
    ensure(public_name in html.unescape(after.text), f"{campaign_b}: the new backer {public_name!r} is not listed")
    return {
        "campaign": campaign_b,
        "before": figures_before,
        "after": figures_after,
        "cache_after": after.header("X-Page-Cache"),
    }


def log_in(visitor: Visitor, base_url: str, email: str, password: str) -> None:
    page = visitor.get(base_url + "/admin/login/")
    form = form_with(page, "password")
    answer = visitor.post(
        form["action"],
        {**form["fields"], "username": email, "password": password, "next": "/admin/"},
    )
    ensure(
        answer.status == 200 and urlsplit(answer.url).path == "/admin/",
        f"{base_url}: the admin login failed (status {answer.status}, {answer.url}): {errors_of(answer)}",
    )


def check_image(url_a: str, url_b: str, media_url: str, *, admin: tuple = DEMO_ADMIN) -> dict:
    """An image uploaded through A is shown by B and served from the media bucket (module docstring).

    `media_url`: where the media bucket serves its files (e.g. "http://127.0.0.1:9000/media/").
    """
    editor = Visitor()
    log_in(editor, url_a, *admin)
    token = uuid.uuid4().hex[:8]
    title = f"Affiche témoin {token}"
    add_page = editor.get(url_a + "/admin/images/add/")
    form = form_with(add_page, "file")
    content = png()
    fields = {
        **form["fields"],
        "title": title,
        "description": f"Rectangle orange ({title})",
    }
    added = editor.post(form["action"], fields, files={"file": ("temoin.png", "image/png", content)})
    ensure(
        added.status == 200 and urlsplit(added.url).path == "/admin/images/",
        f"{form['action']}: the upload through A failed (status {added.status}, {added.url}): {errors_of(added)}",
    )

    # B, with the session opened on A.
    listing = editor.get(url_b + "/admin/images/?" + urlencode({"q": token}))
    ensure(listing.status == 200, f"{listing.url}: status {listing.status} (is the session shared?)")
    edit_urls = links(listing, r"/admin/images/\d+/(\?.*)?")
    ensure(len(edit_urls) == 1, f"{listing.url}: {len(edit_urls)} images found for {token!r}, expected 1")
    edit = editor.get(edit_urls[0])
    ensure(edit.status == 200 and title in html.unescape(edit.text), f"{edit.url}: the newest image is not {title!r}")
    # Its preview (a rendition B makes now, from the original it reads in the bucket) and its file.
    addresses = [html.unescape(url) for url in re.findall(r'(?:src|href)="([^"]+)"', edit.text)]
    in_bucket = list(dict.fromkeys(url for url in addresses if url.startswith(media_url)))
    ensure(in_bucket, f"{edit.url}: no image from the media bucket {media_url} (addresses: {addresses[:20]})")

    public = Visitor(keep_cookies=False)
    served = {}
    for url in in_bucket:
        answer = public.get(url)
        kind = image_type(answer.body)
        ensure(answer.status == 200 and kind, f"{url}: status {answer.status}, not an image ({answer.body[:16]!r})")
        served[url] = kind
    return {"title": title, "edit_page": edit.url, "served": served, "original_bytes": len(content)}
