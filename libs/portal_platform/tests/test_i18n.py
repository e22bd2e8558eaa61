"""Message catalogues and language choice."""

from __future__ import annotations

import jinja2

from portal_platform.i18n import Catalogues, current_language, pick_language


def test_pick_language():
    assert pick_language("", "") == ("pl", False)
    assert pick_language("lang=en", "") == ("en", True)
    assert pick_language("x=1", "a=b; lang=en") == ("en", False)
    assert pick_language("lang=de", "") == ("pl", False)


def test_catalogue_translates_templates(tmp_path):
    po = tmp_path / "en" / "LC_MESSAGES"
    po.mkdir(parents=True)
    (po / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Należności"\nmsgstr "Charges"\n\n'
        'msgid "Witaj, %(name)s"\nmsgstr "Hello, %(name)s"\n',
        encoding="utf-8",
    )
    cats = Catalogues(tmp_path)
    env = jinja2.Environment(autoescape=True)
    cats.install(env)
    tpl = env.from_string("{% trans %}Należności{% endtrans %} {{ _('Witaj, %(name)s', name=n) }}")
    assert tpl.render(n="Ala") == "Należności Witaj, Ala"
    token = current_language.set("en")
    try:
        assert tpl.render(n="<b>") == "Charges Hello, &lt;b&gt;"
    finally:
        current_language.reset(token)
