"""The Whoosh index: schema, bulk and incremental builds, search and facets.

No Whoosh object leaves this package: callers get plain data (``SearchResult``)."""
