"""Articles in and out: fetch, extract, import every input shape, clean up, enrich, store."""
