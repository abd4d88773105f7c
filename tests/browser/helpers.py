"""Small helpers shared by the browser tests."""

import email
import email.policy
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

# Separators the money filter may put between thousands (narrow no-break space in French,
# comma in English) and between euros and cents.
_SEP = "[\\s\u202f\u00a0.,]?"


def path_of(href: str | None) -> str:
    return urlsplit(href or "").path


def links_in(locator) -> list[str]:
    """Paths of every link inside `locator`, in document order."""
    return [path_of(href) for href in locator.locator("a[href]").evaluate_all("els => els.map(e => e.href)")]


def amount_regex(cents: int) -> re.Pattern:
    """Match an amount of euros as the site prints it, whatever the thousands separator."""
    whole = str(cents // 100)
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return re.compile(r"(?<!\d)" + _SEP.join(groups) + r"(?!\d)")


def percent_regex(percent: int) -> re.Pattern:
    return re.compile(rf"(?<!\d){percent}\s?%")


_PROGRESS_JS = """el => {
    if (el.tagName === 'PROGRESS') {
        const label = el.labels && el.labels[0] ? el.labels[0].textContent : '';
        return {now: el.value, min: 0, max: el.max, text: el.textContent.trim(),
                name: el.getAttribute('aria-label') || label};
    }
    const number = (name, fallback) => parseFloat(el.getAttribute(name) ?? fallback);
    return {now: number('aria-valuenow', 'NaN'), min: number('aria-valuemin', '0'),
            max: number('aria-valuemax', '100'), text: el.getAttribute('aria-valuetext') || '',
            name: el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || ''};
}"""


def progress_values(locator) -> dict:
    """Value, min, max and text of a role=progressbar element or a native <progress>."""
    return locator.evaluate(_PROGRESS_JS)


def format_axe_violations(url: str, violations: list[dict], max_nodes: int = 8) -> str:
    """A readable report: rule, impact, help, then each failing node's selector and summary."""
    lines = [f"{len(violations)} axe violation(s) on {url}:"]
    for violation in violations:
        tags = ", ".join(t for t in violation.get("tags", []) if t.startswith(("RGAA", "wcag")))
        lines.append(
            f"\n* {violation['id']} ({violation.get('impact')}): {violation['help']}\n  {violation.get('helpUrl', '')}"
            f"\n  tags: {tags}"
        )
        nodes = violation.get("nodes", [])
        for node in nodes[:max_nodes]:
            target = " ".join(str(t) for t in node.get("target", []))
            html = re.sub(r"\s+", " ", node.get("html", ""))[:200]
            summary = re.sub(r"\s+", " ", node.get("failureSummary", ""))[:300]
            lines.append(f"    - {target}\n      html: {html}\n      {summary}")
        if len(nodes) > max_nodes:
            lines.append(f"    … and {len(nodes) - max_nodes} more node(s)")
    return "\n".join(lines)


def emails_to(mail_dir: Path, address: str) -> list:
    """Messages the site wrote for `address` (Django's file backend), oldest first.

    The backend writes one file per connection, messages separated by a line of 79 dashes.
    """
    found = []
    for path in sorted(mail_dir.glob("*"), key=lambda p: p.stat().st_mtime_ns):
        if path.suffix not in {".log", ".eml"}:
            continue
        for chunk in re.split(rb"\n-{79}\n", path.read_bytes()):
            if not chunk.strip():
                continue
            message = email.message_from_bytes(chunk.lstrip(), policy=email.policy.default)
            if address.lower() in str(message.get("To", "")).lower():
                found.append(message)
    return found


def wait_for_email(mail_dir: Path, address: str, count: int = 1, timeout: float = 20, containing: str = ""):
    """The newest message to `address` (whose subject or text contains `containing`) once there are `count`."""
    deadline = time.monotonic() + timeout
    while True:
        messages = [
            m for m in emails_to(mail_dir, address) if containing in email_text(m) or containing in str(m["Subject"])
        ]
        if len(messages) >= count:
            return messages[-1]
        assert time.monotonic() < deadline, f"no email number {count} to {address} with {containing!r} in {mail_dir}"
        time.sleep(0.2)


def email_text(message) -> str:
    """The plain-text part of an email (the whole body when it has no text part)."""
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def urls_in(text: str) -> list[str]:
    """Every http(s) URL of a text, in order."""
    return re.findall(r"https?://[^\s<>\"')]+", text)
