"""Safety Net analysis: reference geography, ingest, coverage and metrics. No UI code here."""

__version__ = "0.1.0"
