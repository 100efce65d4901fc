"""The console's own tests (run by ``consola/test``): real SQLite, PostgreSQL and Chromium."""
