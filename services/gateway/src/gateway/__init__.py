"""Gateway: the resident web UI and public API; authenticates, calls services, renders."""
