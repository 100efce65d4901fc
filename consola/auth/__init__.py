"""Operators' security: password hashes, server-side sessions, CSRF and login throttling."""
