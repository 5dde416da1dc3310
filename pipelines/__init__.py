"""Ingest pipeline, catalog, warehouse and the pure progress engine."""
