"""Ingest: read a services file, map its columns, check and locate every row, report.

One module per step, in the order the data goes::

    read (table, oruk, oruk_record)  ->  mapping (fields)  ->  check (cells, locate,
    area_served, identity)  ->  load: the Directory and its report (import_report)
"""
