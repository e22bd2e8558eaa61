"""Pure rules: when a reminder is due, which template a document gets, money and dates."""

from __future__ import annotations

from datetime import date

from notify.mail.render import long_date, money
from notify.notices.rules import document_template
from notify.reminders.rules import due_offset

DEADLINE = date(2027, 6, 30)


def test_due_offset_picks_the_latest_started_window_before_the_deadline():
    offsets = [14, 3]
    assert due_offset(DEADLINE, date(2027, 6, 15), offsets) is None
    assert due_offset(DEADLINE, date(2027, 6, 16), offsets) == 14
    assert due_offset(DEADLINE, date(2027, 6, 26), offsets) == 14
    assert due_offset(DEADLINE, date(2027, 6, 27), offsets) == 3
    assert due_offset(DEADLINE, date(2027, 6, 29), offsets) == 3
    assert due_offset(DEADLINE, DEADLINE, offsets) is None
    assert due_offset(DEADLINE, date(2027, 7, 1), offsets) is None
    assert due_offset(DEADLINE, date(2027, 6, 20), []) is None


def test_document_templates():
    assert document_template(module="water", kind="invoice", is_reminder=False) == "document_issued"
    assert document_template(module="waste", kind="fee_notice", is_reminder=False) == "fee_notice"
    assert document_template(module="waste", kind="fee_notice", is_reminder=True) == "dunning"
    assert (
        document_template(module="water", kind="fee_notice", is_reminder=False) == "document_issued"
    )


def test_money_and_dates():
    assert money(123456) == "1\u00a0234,56\u00a0zł"
    assert money(5) == "0,05\u00a0zł"
    assert money(-1050) == "-10,50\u00a0zł"
    assert money(123456, "en") == "PLN 1,234.56"
    assert long_date(date(2027, 11, 30)) == "30 listopada 2027"
    assert long_date(date(2027, 11, 30), "en") == "30 November 2027"


def test_a_decrease_gets_its_own_mail_with_nothing_to_pay():
    from notify.mail.render import Renderer

    assert (
        document_template(module="waste", kind="fee_notice", is_reminder=False, gross_grosze=-10500)
        == "document_decrease"
    )
    renderer = Renderer(
        {"gmina_name": "Gmina Ludwin", "gmina_contact": "tel. 81 757 00 00",
         "portal_url": "https://portal.ludwin.pl"}
    )  # fmt: skip
    context = {"name": "Jan", "number": "ZAW/O/2027/06/000012", "title": "Korekta raty 3/2027",
               "gross_grosze": -10500, "due_date": None, "optional": True}  # fmt: skip
    pl = renderer.render("document_decrease", "pl", context)
    assert pl.subject == "Zmniejszenie należności — dokument ZAW/O/2027/06/000012"
    assert "Zmniejszenie o: 105,00\u00a0zł" in pl.text and "Nie musisz niczego płacić" in pl.text
    assert "-105" not in pl.text and "Termin płatności" not in pl.text
    en = renderer.render("document_decrease", "en", context)
    assert "Reduced by: PLN 105.00" in en.text


def test_account_changes_with_a_mail():
    from notify.notices.rules import account_template

    assert account_template("verified", "verified") == "account_verified"
    assert account_template("locked", "active") == "account_locked"
    assert account_template("password_changed", "verified") == "password_changed"
    assert account_template("locked", "registered") is None  # address not confirmed yet
    assert account_template("password_changed", "suspended") is None
    assert account_template("payer_linked", "verified") is None  # billing mails cover it


def test_account_mails_in_both_languages_without_optional_values():
    from datetime import UTC, datetime

    from notify.mail.render import Renderer

    renderer = Renderer(
        {"gmina_name": "Gmina Ludwin", "gmina_contact": "tel. 81 757 00 00",
         "portal_url": "https://portal.ludwin.pl", "identity_url": "https://konto.ludwin.pl"}
    )  # fmt: skip
    at = datetime(2027, 7, 1, 6, 30, tzinfo=UTC)
    base = {"display_name": "", "happened_at": at, "optional": False}
    for lang in ("pl", "en"):
        for name in ("account_verified", "account_locked", "password_changed"):
            mail = renderer.render(name, lang, {**base, "locked_until": None})
            assert "None" not in mail.text and "None" not in mail.html
            assert f'<html lang="{lang}">' in mail.html
    locked = renderer.render("account_locked", "pl", {**base, "locked_until": at})
    assert "Blokada trwa do 1 lipca 2027, 08:30." in locked.text
    assert "https://konto.ludwin.pl/haslo/reset?lang=pl" in locked.text
    unknown = renderer.render("account_locked", "pl", {**base, "locked_until": None})
    assert "Blokada trwa" not in unknown.text and "Dzień dobry," in unknown.text
    changed = renderer.render("password_changed", "en", base)
    assert changed.subject == "Your Municipal Portal password has been changed"
    assert "When: 1 July 2027 at 08:30" in changed.text
    assert "If it was not you, contact the office at once: tel. 81 757 00 00" in changed.text
