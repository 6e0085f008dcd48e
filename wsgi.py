"""WSGI entry point: ``waitress-serve wsgi:app`` or ``flask --app wsgi run``."""

from catalogue import create_app

app = create_app()
