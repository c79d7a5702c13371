"""The hub's SQLite database: opening it in WAL mode and its versioned migrations."""

from hub.store.db import open_database
from hub.store.migrations import MIGRATIONS, migrate, schema_version

__all__ = ["MIGRATIONS", "migrate", "open_database", "schema_version"]
