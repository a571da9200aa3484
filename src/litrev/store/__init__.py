"""The review database: schema, versioned migrations and a small transactional wrapper."""

from litrev.store.db import Store, database_url
from litrev.store.migrations import HEAD, upgrade

__all__ = ["HEAD", "Store", "database_url", "upgrade"]
