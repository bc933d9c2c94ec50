"""The product's translation catalogues: the compiled .mo files are committed (nothing compiles them on
deployment or in CI), so each must say what its .po says."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[1] / "locale"
LANGUAGES = ["de", "fr", "es"]


def translated_entries(po: Path) -> dict[str, str]:
    """msgid (with "msgctxt\\x04" in front when it has a context; the first form for plurals) ->
    translation, for the entries that have one. Fuzzy entries count as untranslated."""
    entries, current, field, fuzzy = {}, {}, None, False

    def flush():
        msgid, msgstr = current.get("msgid"), current.get("msgstr", current.get("msgstr[0]"))
        if msgid and msgstr and not fuzzy:
            key = f"{current['msgctxt']}\x04{msgid}" if "msgctxt" in current else msgid
            entries[key] = msgstr

    for line in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            flush()
            current, field, fuzzy = {}, None, False
        elif line.startswith("#,"):
            fuzzy = fuzzy or "fuzzy" in line
        elif line.startswith('"'):
            current[field] += ast.literal_eval(line)
        elif not line.startswith("#"):
            field, _space, value = line.partition(" ")
            current[field] = ast.literal_eval(value)
    return entries


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_its_source(language):
    # given the catalogue's source and its compiled form
    folder = LOCALE / language / "LC_MESSAGES"
    source = translated_entries(folder / "django.po")
    with (folder / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)._catalog

    # then every translation in the source is compiled, and nothing else
    compiled_entries = {
        (key[0] if isinstance(key, tuple) else key): value
        for key, value in catalogue.items()
        if key != "" and (not isinstance(key, tuple) or key[1] == 0)
    }
    assert len(source) > 150  # the branding and domains pages, at least
    assert compiled_entries == source, f"run `manage.py compilemessages` for {language} and commit the .mo"
