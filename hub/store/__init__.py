"""The hub's SQLite database: opening it in WAL mode and its versioned migrations."""

from hub.store.db import Synchronous, open_database
from hub.store.errors import unavailable_reason
from hub.store.migrations import MIGRATIONS, migrate, schema_version

__all__ = ["MIGRATIONS", "Synchronous", "migrate", "open_database", "schema_version", "unavailable_reason"]
