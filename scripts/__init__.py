"""The ``newsarchive`` command line and the setup and benchmark scripts."""
