"""Search and browse over listings. Backends sit behind `marketplace.search.backends.base.SearchBackend`;
the PostgreSQL one (full text + pg_trgm) is the default."""
