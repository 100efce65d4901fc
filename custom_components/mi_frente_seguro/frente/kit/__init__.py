"""The street kit (panic button, siren, telemetry) over MQTT: protocol and client."""
