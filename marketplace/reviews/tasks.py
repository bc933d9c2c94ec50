from celery import shared_task


@shared_task(name="reviews.reveal_due")
def reveal_due() -> int:
    """Reveal the current marketplace's reviews whose window closed without the other side's review."""
    from marketplace.reviews.services import reviews_reveal_due

    return reviews_reveal_due()


@shared_task(name="reviews.recompute_levels")
def recompute_levels() -> int:
    """Recount the current marketplace's ratings and set every provider's reputation level."""
    from marketplace.reviews.reputation import provider_levels_recompute

    return provider_levels_recompute()
