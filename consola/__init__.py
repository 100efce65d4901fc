"""Mi Frente Seguro's police console: one place where every front's alarm appears.

Operators log in (argon2 hashes, server-side sessions, CSRF, throttling), see alarms live
(server push), open an incident (audited) and answer the front (signed status updates).
Supervisors keep the fronts registry and the operators, and see refused alerts and the
audit log. Storage is SQLite (embedded default) or PostgreSQL. See docs/consola.md.

Layout: ``storage`` (schema, backends, queries), ``auth`` (passwords), ``ingest`` (the one
path every transport feeds), ``answers`` (form and delivery), ``web`` (aiohttp views,
templates, static files), ``runtime`` (the running console), ``__main__`` (the commands).
"""
