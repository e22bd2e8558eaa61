"""Admin: the clerks' back office; authenticates clerks, calls services, renders."""
