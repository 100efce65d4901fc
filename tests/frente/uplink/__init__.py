"""The city MQTT uplink, against a real Mosquitto."""
