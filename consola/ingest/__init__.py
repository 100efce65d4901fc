"""Ingest: one function for every transport (HTTP ``POST /alerts``, MQTT from the city broker).

``envelope`` holds what arrived (:class:`~consola.ingest.envelope.Delivery`) and what the
transport answers (:class:`~consola.ingest.envelope.Outcome`); ``signature`` checks the
Standard Webhooks headers with the independent ``standardwebhooks`` library; ``message``
reads and checks the body against docs/police-api.schema.json; ``service`` runs them in
order and stores the message durably before any 2xx.
"""
