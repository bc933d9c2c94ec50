"""Search latency over many listings in one marketplace (PostgreSQL backend).

Generates BENCH_LISTINGS listings (default 100,000) with realistic titles, descriptions, prices and
attributes in a university marketplace, then measures a typical query — words + a category + an
attribute filter, with facets — at the backend (SQL) level and through the API in-process.
Prints p50/p95 and which indexes the plan uses. Environment: BENCH_LISTINGS, BENCH_RUNS (default 200).
"""

from __future__ import annotations

import os
import random
import time

from _setup import emit, percentile, prepare_platform, timed_gets, use_fresh_database

LISTINGS = int(os.environ.get("BENCH_LISTINGS", "100000"))
RUNS = int(os.environ.get("BENCH_RUNS", "200"))

TOPICS = {
    "calculus": ["limits", "derivatives", "integrals", "series", "multivariable", "differential equations"],
    "linear-algebra": ["matrices", "eigenvalues", "vector spaces", "determinants", "linear maps"],
    "statistics": ["regression", "hypothesis testing", "probability", "bayesian inference", "sampling"],
    "programming-in-python": ["python", "pandas", "web scraping", "django", "automation", "numpy"],
    "algorithms-and-data-structures": ["graphs", "dynamic programming", "sorting", "trees", "complexity"],
    "databases": ["sql", "postgresql", "normalisation", "indexes", "transactions"],
    "academic-english": ["essay writing", "grammar", "presentations", "academic vocabulary", "ielts"],
    "spanish": ["conversation", "grammar", "dele exam", "business spanish", "pronunciation"],
}
OPENERS = [
    "Exam preparation in",
    "Friendly tutoring for",
    "Crash course:",
    "Weekly sessions on",
    "Master",
    "Intro to",
    "Advanced workshop on",
    "Homework help with",
    "One-to-one coaching in",
    "Revision for",
]
FILLER = (
    "Clear explanations, worked examples and practice problems tailored to your course. "
    "Sessions include notes, past papers and a short quiz to check progress. "
)


def generate(rng: random.Random) -> None:
    from django.utils import timezone

    from accounts.models import User
    from marketplace.catalogue.models import Category, Listing
    from marketplace.providers.models import ProviderProfile
    from marketplace.search.indexing import search_index_rebuild

    categories = {c.slug: c for c in Category.objects.filter(slug__in=TOPICS)}
    providers = []
    for index in range(200):
        user = User.objects.create_user(f"tutor{index}@bench.test", None, full_name=f"Tutor {index}", is_provider=True)
        providers.append(
            ProviderProfile(
                user=user,
                headline=f"Tutor number {index}",
                status="approved",
                skills=rng.sample(sum(TOPICS.values(), []), 3),
            )
        )
    ProviderProfile.objects.bulk_create(providers)
    now = timezone.now()
    batch = []
    for index in range(LISTINGS):
        slug = rng.choice(list(TOPICS))
        topic = rng.choice(TOPICS[slug])
        title = f"{rng.choice(OPENERS)} {topic} ({slug.replace('-', ' ')})"
        batch.append(
            Listing(
                provider=providers[index % len(providers)],
                category=categories[slug],
                title=title[:120],
                description=f"{title}. {FILLER}Topics: {', '.join(rng.sample(TOPICS[slug], 3))}.",
                attributes={
                    "level": rng.choice(["Introductory", "Intermediate", "Advanced"]),
                    "format": rng.choice(["Online", "In person", "Either"]),
                },
                location_type=rng.choice(["online", "online", "hybrid", "on_site"]),
                address="Campus",
                currency="USD",
                status="active",
                published_at=now,
                price_from=rng.randrange(1500, 15000, 100),
            )
        )
        if len(batch) == 5000:
            Listing.objects.bulk_create(batch)
            batch = []
    if batch:
        Listing.objects.bulk_create(batch)
    search_index_rebuild()  # the same vectors and lexicon the listing service writes


def index_names(node):
    """Every index a JSON plan uses."""
    if isinstance(node, list):
        for item in node:
            yield from index_names(item)
    elif isinstance(node, dict):
        if "Index Name" in node:
            yield node["Index Name"]
        for value in node.values():
            if isinstance(value, (list, dict)):
                yield from index_names(value)


def main() -> None:
    use_fresh_database("bench_search")

    from django.db import connection

    from marketplace.catalogue.models import Category
    from marketplace.catalogue.selectors import category_descendant_ids
    from marketplace.search.backends.base import ListingQuery
    from marketplace.search.backends.postgres import PostgresSearchBackend
    from tenants.context import tenant_context
    from tenants.services import tenant_provision

    prepare_platform()
    tenant = tenant_provision(
        name="Search Bench University", slug="searchbench", kind="university", admin_email="admin@searchbench.test"
    )
    rng = random.Random(7)
    started = time.perf_counter()
    with tenant_context(tenant):
        generate(rng)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) catalogue_listing")  # the steady state autovacuum keeps
            cursor.execute("ANALYZE")
        maths = Category.objects.get(slug="mathematics")
        category_ids = tuple(category_descendant_ids(maths))
    emit("search_generate_listings", time.perf_counter() - started, "s", listings=LISTINGS)

    words = [
        "calculus exam",
        "integrals",
        "derivatives practice",
        "calculs",
        "eigenvalues",
        "regression",
        "probability",
        "linear maps",
        "series revision",
        "statistics",
    ]
    backend = PostgresSearchBackend()
    sql_times: list[float] = []
    with tenant_context(tenant):
        for run in range(RUNS):
            query = ListingQuery(
                text=words[run % len(words)],
                category_ids=category_ids,
                attributes=(("level", "Advanced", False),),
                facet_attribute_keys=("level", "format"),
            )
            t0 = time.perf_counter()
            backend.search_listings(query)
            sql_times.append(time.perf_counter() - t0)
        typical = ListingQuery(
            text="calculus exam",
            category_ids=category_ids,
            attributes=(("level", "Advanced", False),),
            facet_attribute_keys=("level", "format"),
        )
        sample = backend.search_listings(typical)
        sql, params = backend.statement(typical)
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
    indexes = sorted(set(index_names(plan)))
    emit(
        "search_sql_p50",
        percentile(sql_times, 0.50) * 1000,
        "ms",
        listings=LISTINGS,
        runs=RUNS,
        query="words + category (with descendants) + attribute filter + facets (category, location, 2 attributes)",
    )
    emit("search_sql_p95", percentile(sql_times, 0.95) * 1000, "ms", listings=LISTINGS, runs=RUNS, target="< 50")
    emit("search_sample_total", sample.total, "listings", query="calculus exam, Mathematics, level=Advanced")
    emit("search_plan_indexes", len(indexes), "indexes", used=indexes)

    api_times = timed_gets(
        "searchbench.localhost",
        [
            (
                "/api/v1/search/listings/",
                f"q={words[run % len(words)].replace(' ', '+')}&category={maths.public_id}&attr.level=Advanced",
            )
            for run in range(RUNS)
        ],
    )
    emit("search_api_p50", percentile(api_times, 0.50) * 1000, "ms", listings=LISTINGS, runs=RUNS)
    emit("search_api_p95", percentile(api_times, 0.95) * 1000, "ms", listings=LISTINGS, runs=RUNS, target="< 50")


if __name__ == "__main__":
    main()
