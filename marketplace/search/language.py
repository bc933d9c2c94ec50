"""Which PostgreSQL text search configuration (stemming, stop words) a marketplace's locale uses."""

CONFIGS = {
    "en": "english",
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "it": "italian",
    "nl": "dutch",
    "pt": "portuguese",
    "sv": "swedish",
    "da": "danish",
    "fi": "finnish",
}


def text_search_config(locale: str) -> str:
    """`simple` (no stemming) for languages PostgreSQL has no stemmer for."""
    return CONFIGS.get((locale or "en").lower().split("-")[0], "simple")


def current_text_search_config() -> str:
    from marketplace.configuration.selectors import marketplace_settings

    return text_search_config(marketplace_settings().locale)
