"""Qt item models over service results (no SQL here: rows come from services)."""
