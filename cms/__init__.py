"""Content pages per marketplace, managed in Wagtail (tenant schema)."""
