"""Course maintenance tools (authoring, release, checks). Not used by learners."""
