"""Texts the services make in Polish (cards, deadlines, charge titles, invoice lines), shown in
the request's language.

The services answer in Polish and the contracts carry no message ids, so the gateway
recognises what it knows: a fixed text is looked up in the catalogue; a text with numbers in it
("Opłata za odpady komunalne — rata 2/2027") is matched against PATTERNS, Polish message ids
whose placeholders say what they hold. A placeholder named after a VOCABULARY (component,
document, ...) or a PHRASE is itself translated; numbers, dates, amounts and addresses are kept.
A QUOTE (a transfer title, a clerk's reason) is translated when known, else kept as it came and,
in templates, marked lang="pl" on its own. A text that is not recognised stays Polish, and
templates mark it with lang="pl".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape

from gateway.web.i18n import N_, catalogues, language

# Fixed words the patterns are built from (each also a message of its own).
VOCABULARY: dict[str, tuple[str, ...]] = {
    "component": (
        N_("Woda"),
        N_("Ścieki"),
        N_("Abonament wodny"),
        N_("Abonament kanalizacyjny"),
        N_("Abonament za podlicznik ogrodowy"),
    ),
    "status": (
        N_("czeka na weryfikację"),
        N_("przyjęty"),
        N_("poprawiony przez urząd"),
        N_("odrzucony"),
        N_("zastąpiony nowszym odczytem"),
    ),
    "document": (N_("Decyzja"), N_("Decyzja zmieniająca"), N_("Deklaracja DN-1")),
    "of_month": (
        N_("stycznia"), N_("lutego"), N_("marca"), N_("kwietnia"), N_("maja"), N_("czerwca"),
        N_("lipca"), N_("sierpnia"), N_("września"), N_("października"), N_("listopada"),
        N_("grudnia"),
    ),
}  # fmt: skip

# Fixed texts the services show as they are (labels, card titles, installment names).
FIXED = [
    # water: card titles, tariff groups
    N_("Ostatni odczyt wodomierza"),
    N_("Następny termin odczytu"),
    N_("Gospodarstwa domowe"),
    N_("Działki i domki letniskowe"),
    N_("Firmy i instytucje"),
    # waste and property tax: cards and installment names
    N_("Najbliższa rata opłaty za odpady"),
    N_("Najbliższa rata podatku od nieruchomości"),
    N_("ryczałt"),
    N_("jednorazowo"),
    N_("styczeń"),
    N_("luty"),
    N_("marzec"),
    N_("kwiecień"),
    N_("maj"),
    N_("czerwiec"),
    N_("lipiec"),
    N_("sierpień"),
    N_("wrzesień"),
    N_("październik"),
    N_("listopad"),
    N_("grudzień"),
    # property tax: categories of taxable objects
    N_("grunty związane z prowadzeniem działalności gospodarczej"),
    N_("grunty pod wodami powierzchniowymi (jeziora, zbiorniki sztuczne)"),
    N_("grunty pozostałe (w tym pod domem mieszkalnym)"),
    N_("grunty niezabudowane na obszarze rewitalizacji"),
    N_("budynki mieszkalne lub ich części"),
    N_("budynki związane z działalnością gospodarczą"),
    N_("budynki zajęte na obrót kwalifikowanym materiałem siewnym"),
    N_("budynki związane z udzielaniem świadczeń zdrowotnych"),
    N_("budynki pozostałe (garaże, letniskowe, gospodarcze)"),
    N_("budowle związane z działalnością gospodarczą"),
    # billing
    N_("Koszty upomnienia"),
    N_("Odsetki za zwłokę"),
    N_("Wpłata online"),
    N_("Wpłata na rachunek"),
    N_("Wpłata w kasie"),
    N_("Wpłata"),
    N_("Wpłata (zaliczona)"),
    N_("Zaliczenie nadpłaty"),
]

# Texts with numbers in them, most specific first.
PATTERNS = [
    # waste
    N_("Opłata za odpady komunalne — rata %(n)s/%(year)s"),
    N_("Opłata za odpady komunalne — ryczałt roczny %(year)s (domek letniskowy)"),
    N_("Zawiadomienie o zmianie wysokości opłaty za odpady — korekta raty %(n)s/%(year)s"),
    N_("Zawiadomienie o zmianie wysokości opłaty za odpady — korekta ryczałtu"),
    N_("Opłata za odpady — %(what)s (%(amount)s)"),
    N_("Opłata za odpady %(year)s"),
    N_("Kwota roczna: %(amount)s"),
    N_("rata %(n)s"),
    N_("%(what)s: %(amount)s do %(on)s"),
    # property tax
    N_(
        "Decyzja %(number)s — podatek od nieruchomości %(year)s, zmiana od %(from_month)s, %(what)s"
    ),
    N_("Decyzja %(number)s — podatek od nieruchomości %(year)s, %(what)s"),
    N_("Podatek od nieruchomości %(year)s — %(what)s (%(number)s)"),
    N_("Podatek od nieruchomości — %(what)s (%(amount)s)"),
    N_("Podatek od nieruchomości %(year)s"),
    N_("%(document)s %(number)s: %(amount)s za rok"),
    # water
    N_("Faktura za wodę i ścieki %(period)s, %(number)s, %(address)s"),
    N_("Faktura szacunkowa za wodę i ścieki %(period)s, %(number)s, %(address)s"),
    N_("Rozliczenie faktury szacunkowej %(on)s–%(on2)s: %(line)s"),
    N_("%(component)s %(period)s (przed zmianą taryfy)"),
    N_("%(component)s %(period)s (taryfa od %(on)s)"),
    N_("%(component)s %(period)s [%(n)s mies.]"),
    N_("%(component)s %(period)s (%(calc)s)"),
    N_("%(component)s %(period)s"),
    N_("Odczyt do %(day)s %(of_month)s"),
    N_("%(label)s (%(on)s) — odczyt podany."),
    N_("%(label)s (%(on)s) — odczyt jeszcze niepodany."),
    N_("%(on)s: %(volumes)s — %(status)s"),
    # billing
    N_("Opłata należności (%(n)s), kartoteka %(id)s"),
    N_("Wszystkie należności, kartoteka %(id)s"),
    N_("Upomnienie — zaległości (%(module)s)"),
    N_("Korekta: %(line)s"),
    N_("Odsetki za zwłokę naliczone na dzień %(on)s (do zapłaty)"),
    # billing's account statement (kartoteka): payments and refunds with their titles
    N_("Wpłata online: %(quote)s"),
    N_("Wpłata na rachunek: %(quote)s"),
    N_("Wpłata w kasie: %(quote)s"),
    N_("Wpłata: %(quote)s"),
    N_("Zwrot nadpłaty: %(quote)s"),
]

# What a placeholder may hold (its name without trailing digits); kept as it is.
KINDS = {
    "n": r"\d+",
    "day": r"\d{1,2}",
    "year": r"\d{4}",
    "on": r"\d{2}\.\d{2}\.\d{4}",
    "from_month": r"\d{2}\.\d{4}",
    "period": r"\d{2}\.\d{2}(?:\.\d{4})?(?:–\d{2}\.\d{2}\.\d{4})?|\d{2}\.\d{4}(?:–\d{2}\.\d{4})?",
    "amount": r"-?\d[\d\s]*,\d{2}\s?zł",
    "number": r"\S+",
    "id": r"\S+",
    "module": r"[a-z_]+",
    "volumes": r"[\d.,]+\sm³(?:,\s[\d.,]+\sm³)*",
    "calc": r"[^()]+",
    "address": r".+",
}
# Placeholders holding a text that must itself be known (translated recursively).
PHRASES = ("what", "label", "line")
# Placeholders holding a text quoted as it came: translated when known, else kept in Polish.
QUOTES = ("quote",)
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@dataclass(frozen=True)
class Pattern:
    message: str
    regex: re.Pattern[str]
    translated: tuple[str, ...]  # placeholders whose values are translated too


def compile_pattern(message: str) -> Pattern:
    parts, translated, pos = [], [], 0
    for m in PLACEHOLDER.finditer(message):
        parts.append(re.escape(message[pos : m.start()]))
        name = m.group(1)
        kind = name.rstrip("0123456789")
        if kind in VOCABULARY:
            words = sorted(VOCABULARY[kind], key=len, reverse=True)
            regex = "|".join(re.escape(w) for w in words)
            translated.append(name)
        elif kind in PHRASES or kind in QUOTES:
            regex = ".+?"
            translated.append(name)
        else:
            regex = KINDS[kind]
        parts.append(f"(?P<{name}>{regex})")
        pos = m.end()
    parts.append(re.escape(message[pos:]))
    return Pattern(message, re.compile("".join(parts)), tuple(translated))


COMPILED = [compile_pattern(p) for p in PATTERNS]


@lru_cache(maxsize=8192)
def translated(text: str, lang: str) -> str | None:
    """`text` in `lang`, or None when the gateway does not know it."""
    return _render(text, lang, html=False)


@lru_cache(maxsize=8192)
def translated_markup(text: str, lang: str) -> Markup | None:
    """Like `translated`, as HTML: a quote kept in Polish is marked lang="pl"."""
    found = _render(text, lang, html=True)
    return None if found is None else Markup(found)


def _render(text: str, lang: str, *, html: bool) -> str | None:
    gettext = catalogues.for_language(lang).gettext
    exact = gettext(text)
    if exact != text:
        return escape(exact) if html else exact
    for p in COMPILED:
        m = p.regex.fullmatch(text)
        if m is None:
            continue
        values: dict[str, str] = m.groupdict()
        for name in p.translated:
            inner = _render(values[name], lang, html=html)
            if inner is not None:
                values[name] = inner
            elif name.rstrip("0123456789") in QUOTES:
                values[name] = kept_polish(values[name]) if html else values[name]
            else:
                break
        else:
            message = gettext(p.message)
            return escape(message) % values if html else message % values
    return None


def kept_polish(text: str) -> Markup:
    return Markup('<span lang="pl">%s</span>') % text


def service_text(text: str) -> str:
    """A service's Polish text in the request's language when known, else as it is."""
    lang = language()
    if lang == "pl" or not text:
        return text
    return translated(text, lang) or text


def service_markup(text: str, lower: bool = False) -> Markup:
    """For templates: the text translated, or kept Polish inside <span lang="pl">."""
    lang = language()
    if lang == "pl" or not text:
        return escape(first_lower(text, lower))
    shown = translated_markup(text, lang)
    if shown is None:
        return kept_polish(first_lower(text, lower))
    return Markup(first_lower(shown, lower))


def first_lower(text: str, lower: bool) -> str:
    return text[:1].lower() + text[1:] if lower else text
