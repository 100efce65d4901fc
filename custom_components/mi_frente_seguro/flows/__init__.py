"""The forms of a front: the config, reconfigure and options steps' schemas and checks.

``config_flow.py`` (where HA looks for the flows) holds the steps; each module here holds
one form's schema and the validation of what the coordinator entered: ``front`` (who and
where, contacts), ``broker``, ``kit``, ``cameras``, ``police`` and ``members`` (the member
subentry flow). ``fields`` holds what they share.
"""
