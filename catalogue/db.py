"""The runtime database: only what changes while the site runs.

Provider facts live in Markdown under git, never here. SQLite by default,
PostgreSQL through DATABASE_URL.
"""
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
