"""The Rasa REST channel client (the assistant port of casework), shared by the webhook and the notifier."""
