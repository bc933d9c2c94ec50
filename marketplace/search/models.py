"""The words a marketplace's listings use, for correcting typos in search text."""

from django.contrib.postgres.indexes import GistIndex
from django.db import models


class SearchTerm(models.Model):
    """One lower-case word found in a listing's title, description or its provider's skills. Kept
    by `marketplace.search.indexing`; a word may outlive the listing that brought it in until the
    next full rebuild, which only costs a correction that finds nothing."""

    word = models.CharField(max_length=60, primary_key=True)

    class Meta:
        indexes = [GistIndex(fields=["word"], opclasses=["gist_trgm_ops"], name="search_term_trgm")]

    def __str__(self) -> str:
        return self.word
