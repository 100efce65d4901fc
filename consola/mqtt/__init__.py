"""The city broker (docs/city-uplink.md): alerts in by shared subscription, answers out.

``settings`` reads ``--mqtt mqtt(s)://user:password@host:port/prefix`` (hostile input);
``wire`` maps the Standard Webhooks headers to MQTT 5 user properties and back;
``consumer`` keeps one persistent QoS 1 connection per console instance: alerts go through
the one ingest path (:class:`~consola.ingest.service.Ingest`) and are acknowledged only
after their commit; the answer worker publishes answers for fronts with no webhook on it.
"""
