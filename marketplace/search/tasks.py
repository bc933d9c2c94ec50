from celery import shared_task


@shared_task(name="search.reindex_listings")
def reindex_listings() -> int:
    """Rebuild the current tenant's listing search vectors (runs in the schema that enqueued it)."""
    from marketplace.search.indexing import search_index_rebuild

    return search_index_rebuild()
