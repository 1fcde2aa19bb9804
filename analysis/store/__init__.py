"""The directory's database: every version of every organisation and service.

One package knows SQL (SQLAlchemy 2, alembic migrations); the rest of `analysis` sees
Directories. SQLite by default (one file), PostgreSQL when shared
(``SAFETYNET_DATABASE_URL``). The modules, in the order data flows:

- `config`: where the database is, and the store's defaults;
- `schema`: the tables, after Open Referral UK 3.0, and the store's vocabularies;
- `engine`, `migrate`, `opening`: connecting, migrating, `open_store`;
- `records`: an organisation or service as one dict of plain values;
- `writes`: `write_records`, the one way records are written, with their history;
- `importing`: a file through the importer into records (`import_file`);
- `reads`: records now or on a past date, and `load_directory_from_store`;
- `editing`: a person's save, verification, soft delete and restore;
- `history`, `exporting`, `backup`, `cli`: what ``python -m analysis db`` does.

See docs/store.md.
"""
