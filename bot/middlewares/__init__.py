"""Middlewares that give every update its database session, user and language."""
