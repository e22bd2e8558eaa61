"""Rules: the template and category of each event's mail, and who of the payer's accounts gets it."""

from __future__ import annotations

from collections.abc import Iterable

from notify.mail.schemas import Recipient

READING_TEMPLATES = {
    "accepted": "reading_accepted",
    "corrected": "reading_corrected",
    "rejected": "reading_rejected",
}
MAILABLE_STATES = ("active", "verified")
# identity's account changes that get a mail (all mandatory: category "account")
ACCOUNT_TEMPLATES = {
    "verified": "account_verified",
    "locked": "account_locked",
    "password_changed": "password_changed",
}


def reading_template(decision: str) -> str | None:
    """accepted / corrected / rejected → its template; anything else sends nothing."""
    return READING_TEMPLATES.get(decision)


def account_template(change: str, state: str) -> str | None:
    """The mail of an account change, or None: no mail for it, or an account not to mail.

    A registered (address not yet confirmed) or suspended account gets no such mail.
    """
    template = ACCOUNT_TEMPLATES.get(change)
    if template is None or state not in MAILABLE_STATES:
        return None
    return template


def document_template(*, module: str, kind: str, is_reminder: bool, gross_grosze: int = 0) -> str:
    """An upomnienie, a decrease (nothing to pay), a waste fee notice, or any other document."""
    if is_reminder:
        return "dunning"
    if gross_grosze < 0:
        return "document_decrease"
    if module == "waste" and kind == "fee_notice":
        return "fee_notice"
    return "document_issued"


def mailable(recipients: Iterable[Recipient]) -> list[Recipient]:
    """Accounts that can get mail about a payer: active or verified, with an address; one per address."""
    seen: set[str] = set()
    found = []
    for r in recipients:
        key = r.email.strip().lower()
        if not key or key in seen or (r.state and r.state not in MAILABLE_STATES):
            continue
        seen.add(key)
        found.append(r)
    return found
