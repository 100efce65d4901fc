"""The police's answers to a front: form, signed status update, delivery.

``form`` checks the operator's form; ``update`` is the status update it becomes
(docs/police-api.md section 4); ``delivery`` signs it with the ``standardwebhooks`` library
and delivers it durably, with retries.
"""
