"""Rules of the contact form: topics, limits, clean text, attachments checked by their content."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath, PureWindowsPath

from portal_platform.errors import InvalidArgument

TOPICS: dict[str, tuple[str, str]] = {
    "water": ("Woda i ścieki", "Water and sewage"),
    "waste": ("Odpady komunalne", "Municipal waste"),
    "payments": ("Płatności i należności", "Payments and balances"),
    "account": ("Konto w portalu", "Portal account"),
    "other": ("Inna sprawa", "Something else"),
}
STATUS_LABELS: dict[str, tuple[str, str]] = {
    "open": ("Oczekuje na odpowiedź urzędu", "Awaiting the office's answer"),
    "answered": ("Urząd odpowiedział", "The office answered"),
    "closed": ("Zamknięta", "Closed"),
}
MAX_BODY = 5000
MAX_SUBJECT = 150
MAX_NAME = 100
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
# File signatures (magic bytes) → content type; the extension must agree with the content.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
EXTENSIONS = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
EMAIL_RE = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")
_CONTROL = {c for c in map(chr, range(32)) if c not in "\n\t"} | {"\x7f"}


def label(table: dict[str, tuple[str, str]], key: str, language: str = "pl") -> str:
    pair = table.get(key)
    if pair is None:
        return key
    return pair[1] if language == "en" else pair[0]


def clean_text(value: str) -> str:
    """Unify newlines, drop control characters, trim; HTML stays text (escaped when shown)."""
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    return "".join(ch for ch in value if ch not in _CONTROL).strip()


def check_topic(topic: str) -> str:
    if topic not in TOPICS:
        raise InvalidArgument("Wybierz, czego dotyczy sprawa.", field="topic")
    return topic


def check_subject(subject: str) -> str:
    subject = " ".join(clean_text(subject).split())
    if not subject:
        raise InvalidArgument("Wpisz temat wiadomości.", field="subject")
    if len(subject) > MAX_SUBJECT:
        raise InvalidArgument(
            f"Temat jest za długi ({len(subject)} znaków) — skróć go do {MAX_SUBJECT} znaków.",
            field="subject",
        )
    return subject


def check_body(body: str) -> str:
    body = clean_text(body)
    if not body:
        raise InvalidArgument("Wpisz treść wiadomości.", field="body")
    if len(body) > MAX_BODY:
        raise InvalidArgument(
            f"Wiadomość jest za długa: {_thousands(len(body))} znaków, a można wysłać najwyżej "
            f"{_thousands(MAX_BODY)}. Skróć ją lub dołącz dłuższy tekst jako plik PDF.",
            field="body",
        )
    return body


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", "\u00a0")


def check_email(email: str) -> str:
    email = email.strip()
    if not email or len(email) > 254 or not EMAIL_RE.match(email):
        raise InvalidArgument(
            "Podaj poprawny adres e-mail (np. jan.kowalski@example.pl) — na niego odpowiemy.",
            field="email",
        )
    return email


def check_name(name: str) -> str:
    name = " ".join(clean_text(name).split())
    if len(name) > MAX_NAME:
        raise InvalidArgument(f"Imię i nazwisko: najwyżej {MAX_NAME} znaków.", field="name")
    return name


def sniff(content: bytes) -> str | None:
    """The content type read from the file's first bytes, or None when not PDF/PNG/JPEG."""
    for magic, content_type in SIGNATURES:
        if content.startswith(magic):
            return content_type
    return None


def safe_filename(filename: str, content_type: str) -> str:
    """The file's base name without paths or odd characters, with an extension that fits."""
    base = PureWindowsPath(PurePosixPath(filename).name).name
    base = "".join(ch for ch in clean_text(base) if ch.isalnum() or ch in " ._-()")
    base = " ".join(base.split())[:120].strip(" .") or "zalacznik"
    stem, dot, ext = base.rpartition(".")
    if not dot or EXTENSIONS.get("." + ext.lower()) != content_type:
        wanted = {v: k for k, v in reversed(EXTENSIONS.items())}[content_type]
        base = f"{stem or base}{wanted}"
    return base


def check_attachment(filename: str, content: bytes) -> tuple[str, str]:
    """(safe file name, content type) of an allowed attachment; refuse others by content."""
    size = len(content)
    if size == 0:
        raise InvalidArgument("Wybrany plik jest pusty.", field="attachment")
    if size > MAX_ATTACHMENT_BYTES:
        raise InvalidArgument(
            "Załącznik jest za duży. Można dołączyć jeden plik do 5 MB — zmniejsz go "
            "(np. zeskanuj w niższej rozdzielczości) lub podziel na części.",
            field="attachment",
        )
    ext = PurePosixPath(filename.lower()).suffix
    detected = sniff(content)
    if detected is None or (ext and EXTENSIONS.get(ext) != detected):
        raise InvalidArgument(
            "Można dołączyć tylko plik PDF, JPG lub PNG (sprawdzamy zawartość pliku, "
            "nie tylko jego nazwę).",
            field="attachment",
        )
    return safe_filename(filename, detected), detected
