"""Police dispatch: messages, CAP 1.2, signatures, the durable outbox and inbound updates.

- ``messages``: the JSON police messages (``incident.created`` / ``updated`` /
  ``cancelled`` / ``closed``, version 1); ``changes``: which incident change sends which;
- ``cap``: the same messages as CAP 1.2 XML;
- ``signing``: Standard Webhooks secrets, signature headers and verification;
- ``retry``: full-jitter backoff and Retry-After;
- ``outbox`` (with ``outbox_db``, ``queue``, ``attempt``): one front's durable, ordered,
  at-least-once delivery, one signed POST at a time;
- ``inbound`` (with ``replay``): the police's signed status updates, checked and deduped;
- ``outcome``: how one attempt ended (delivered / retry / refused) and the ``Transport``
  seam a destination's queue drives;
- ``sia``: SIA DC-09 (SIA-DCS / Contact ID over TCP or UDP) to alarm receivers.

``docs/police-api.md`` is the contract these modules implement; ``docs/sia.md`` that of
``sia``.
"""
