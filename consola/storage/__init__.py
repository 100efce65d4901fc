"""The console's storage: one schema on SQLite (embedded default) or PostgreSQL.

``db`` is the seam (:class:`~consola.storage.db.Database`, :class:`~consola.storage.db.Tx`),
``sqlite`` and ``postgres`` the backends, ``schema`` the versioned migrations; the queries
live next to what they serve (``accounts``, ``fronts``, ``incidents``, ``answers``,
``audit``).
"""
