from celery import shared_task


@shared_task(name="search.reindex_listings")
def reindex_listings() -> int:
    """Rebuild the current tenant's listing search vectors (runs in the schema that enqueued it)."""
    from marketplace.catalogue.listings import listings_reindex_search

    return listings_reindex_search()
