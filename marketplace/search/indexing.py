"""Keeping listings searchable: each listing's weighted search vector (title A, description B, its
provider's headline, skills and name C; stemmed for the marketplace's language) and the lexicon of
words typos are corrected against. The listing and provider services call these after writes."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from marketplace.search.language import current_text_search_config

# Words shorter than this are not worth correcting (and are mostly stop words).
SHORTEST_TERM = 3
LONGEST_TERM = 60
# How alike (pg_trgm similarity) a word must be to the closest lexicon word to be read as a typo of it;
# low enough for transpositions in short words ("djnago" is 0.27 from "django").
TYPO_SIMILARITY = 0.25

_VECTOR = """
UPDATE catalogue_listing AS l SET search_vector =
    setweight(to_tsvector(%(config)s::regconfig, l.title), 'A')
    || setweight(to_tsvector(%(config)s::regconfig, l.description), 'B')
    || setweight(to_tsvector(%(config)s::regconfig, concat_ws(' ', p.headline, array_to_string(p.skills, ' '),
                                                          u.full_name)), 'C')
FROM providers_providerprofile AS p JOIN accounts_user AS u ON u.id = p.user_id
WHERE p.id = l.provider_id AND {scope}
"""

_TERMS = """
INSERT INTO search_searchterm (word)
SELECT DISTINCT w FROM catalogue_listing AS l
JOIN providers_providerprofile AS p ON p.id = l.provider_id,
LATERAL regexp_split_to_table(lower(concat_ws(' ', l.title, l.description, array_to_string(p.skills, ' '))),
                              '[^[:alpha:]]+') AS w
WHERE length(w) BETWEEN %(shortest)s AND %(longest)s AND {scope}
ON CONFLICT DO NOTHING
"""


def _index(scope: str, params: dict) -> int:
    params = {**params, "config": current_text_search_config(), "shortest": SHORTEST_TERM, "longest": LONGEST_TERM}
    with connection.cursor() as cursor:
        cursor.execute(_VECTOR.format(scope=scope), params)
        updated = cursor.rowcount
        cursor.execute(_TERMS.format(scope=scope), params)
    return updated


def listings_index(listing_ids: Iterable[int]) -> int:
    """Refresh these listings' vectors and add their words to the lexicon."""
    ids = list(listing_ids)
    return _index("l.id = ANY(%(ids)s)", {"ids": ids}) if ids else 0


def provider_listings_index(provider_id: int) -> int:
    """After a provider's profile changed: their listings carry its headline and skills."""
    return _index("l.provider_id = %(provider)s", {"provider": provider_id})


def search_index_rebuild() -> int:
    """Every listing's vector and a lexicon rebuilt from scratch (after the language changed, or to
    drop words no listing uses any more). Idempotent."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_searchterm")
    return _index("TRUE", {})


def corrected_words(text: str) -> str | None:
    """`text` with each word replaced by the closest word listings use (trigram similarity), or None
    when no word changes. Words with no close match are dropped unless that leaves nothing."""
    import re

    words = [w for w in re.findall(r"[^\W\d_]+", text.lower()) if len(w) <= LONGEST_TERM]
    if not words:
        return None
    with connection.cursor() as cursor:
        # Nearest neighbour by trigram distance (GiST), then the similarity threshold on that one word.
        cursor.execute(
            "SELECT q.w, c.word FROM unnest(%s::text[]) WITH ORDINALITY AS q(w, n) LEFT JOIN LATERAL "
            "(SELECT t.word FROM search_searchterm AS t ORDER BY t.word <-> q.w, t.word LIMIT 1) AS c "
            "ON similarity(c.word, q.w) >= %s ORDER BY q.n",
            [words, TYPO_SIMILARITY],
        )
        pairs = cursor.fetchall()
    corrected = [match or word for word, match in pairs if match or len(word) < SHORTEST_TERM]
    if not corrected or corrected == words:
        return None
    return " ".join(corrected)
