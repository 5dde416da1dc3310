"""Serving the dashboard with several app processes behind HAProxy (`make serve`; docs/deployment.md)."""
