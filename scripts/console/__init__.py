"""The reference police console (``scripts/police_console``), the other end of the contract.

A small package: it needs only the integration's signing code (``frente.dispatch.signing``)
and a few pure pieces of the real console (``consola.answers.update``, the status update's
fields), never the rest of ``scripts/``. ``app`` is the console
(:class:`~scripts.console.app.PoliceConsole`, an aiohttp application), ``alerts`` reads
signed alerts (JSON and CAP 1.2), ``views`` and ``page`` show them, ``incidents`` holds what
the console keeps, ``delivery`` sends signed status updates to the front; ``__main__`` is
the command line (``python -m scripts.console``).
"""
