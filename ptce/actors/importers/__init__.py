"""Importers of register data into organisations and establishments (SIRENE)."""
