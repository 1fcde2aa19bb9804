"""Ingest: read a services file, map its columns, check and locate every row, report."""
