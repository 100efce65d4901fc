"""The city MQTT uplink of a front (docs/city-uplink.md), with no Home Assistant import.

- ``settings``: the ``city_uplink`` settings, checked as hostile input, and the topics;
- ``wire``: the Standard Webhooks headers as MQTT 5 user properties, both ways;
- ``link``: one persistent, QoS 1 connection to the city broker (publish with PUBACK,
  answers acknowledged only once applied);
- ``transport``: :class:`~.transport.MqttTransport`, the ``Transport`` a destination's
  durable queue drives;
- ``answers``: a police answer from the broker, verified and applied exactly as the webhook
  applies one.
"""
