"""The notifier: APScheduler is its clock; it sends what casework writes to the outbox."""
