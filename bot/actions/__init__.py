"""Custom actions for the ASB assistant (run by `rasa run actions`).

Modules that do not import rasa_sdk (webhook_client, parsing, payload, asb_types) can be
used from the app environment too, for example by the contract test.
"""
