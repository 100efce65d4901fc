"""Police dispatch: messages, CAP 1.2, signatures, the durable outbox and inbound updates.

- ``messages``: the JSON police messages (``incident.created`` / ``updated`` /
  ``cancelled`` / ``closed``, version 1); ``changes``: which incident change sends which;
- ``cap``: the same messages as CAP 1.2 XML;
- ``signing``: Standard Webhooks secrets, signature headers and verification;
- ``retry``: full-jitter backoff and Retry-After;
- ``outbox`` (with ``outbox_db``, ``queue``, ``attempt``): one front's durable, ordered,
  at-least-once delivery, one signed POST at a time;
- ``inbound`` (with ``replay``): the police's signed status updates, checked and deduped.

``docs/police-api.md`` is the contract these modules implement.
"""
