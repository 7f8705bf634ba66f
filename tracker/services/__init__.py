"""Domain services: each public function is one unit of work against a ``db.engine.Database``
(one short session, committed or rolled back as a whole) and returns plain objects, never
ORM rows, so callers in the TUI and CLI hold no session."""
