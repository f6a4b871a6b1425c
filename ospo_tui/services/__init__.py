"""Domain services: the only layer that touches the database. Never imports textual."""
