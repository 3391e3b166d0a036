"""Kernel: photos and documents for any object, through Django's storage (services.py writes,
selectors.py reads through the owner's scope, views.py serves)."""
