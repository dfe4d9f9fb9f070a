"""One module per input shape. Each importer is a function

    import_<shape>(data: bytes, *, name: str, options: IngestOptions) -> list[Article | Failure]

that turns one input (a file's bytes; URL importers take the URL instead) into draft articles:
the fields the input carries, the body as the input has it (``archive.ingest.finish_article``
then dates, cleans, enriches and identifies every draft the same way). A multi-record input
(a feed, a bulk export, a WARC file) reports a bad record as a ``Failure`` and goes on.
Importers raise ``InputError`` for an input that yields nothing at all.
"""
