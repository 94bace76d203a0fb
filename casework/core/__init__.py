"""The shared kernel every capability builds on: database and the transaction rule (``db``), tables
(``models``), settings, clock, audit trail, references, working days, ASB types, SMS text, heartbeats
and the wiring of one process (``bootstrap``). Its modules are imported directly."""
