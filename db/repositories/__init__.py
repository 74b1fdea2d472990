"""Repositories: one per aggregate; take an AsyncSession, return plain DTOs."""
