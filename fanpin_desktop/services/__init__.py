"""Use cases. Each function takes a Session (one unit of work) and never creates widgets."""
