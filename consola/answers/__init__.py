"""The police's answers to a front: form, signed status update, delivery.

The operator's form, the signed status update (docs/police-api.md section 4, signed with the ``standardwebhooks`` library) and its
durable delivery with retries.
"""
