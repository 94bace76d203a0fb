"""`python -m notifier`: run the notifier process until interrupted."""

from notifier.main import main

if __name__ == "__main__":
    raise SystemExit(main())
