"""Documents the program writes: xlsx workbooks and PDF forms (no Qt, no database sessions)."""
