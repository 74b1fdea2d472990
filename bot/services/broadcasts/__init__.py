"""Admin broadcasts (see service.py)."""
