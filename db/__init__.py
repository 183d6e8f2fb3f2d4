"""Persistence: typed models, engine factory, migrations and the use cases.

Use cases take a `Database` and plain values, own their transaction and return
plain dataclasses from `db.views`, so no ORM object ever reaches a handler.
"""
