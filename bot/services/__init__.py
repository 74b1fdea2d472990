"""Application services: the business rules between handlers and the database."""
