"""Tests of police dispatch: messages, CAP, signatures, the outbox and inbound updates."""
