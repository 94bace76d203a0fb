"""Command-line entry points, run as ``python -m casework.cli.<name>``: migrate, privacy, seed_demo."""
