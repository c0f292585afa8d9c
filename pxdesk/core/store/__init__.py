"""The local SQLite store: models, migrations, settings and custom fields."""
