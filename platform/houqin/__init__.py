"""Houqin: the district logistics centre's Django project."""

from houqin.celery import app as celery_app

__all__ = ["celery_app"]
