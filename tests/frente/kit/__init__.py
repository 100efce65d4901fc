"""Tests of the kit protocol and MQTT link, against a real Mosquitto."""
