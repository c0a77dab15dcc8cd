"""csq: the headless core of the service-quality dashboard (store, importer, indicators, CLI)."""

__version__ = "0.1.0"
