"""The rules engine: runs a bases version's stage plugins over a call (D1–D9, F1–F3).

Pure: no Flask and no database. :mod:`.interchange` reads and writes the JSON
format of a whole call; :mod:`.run` evaluates it stage by stage; the database
side (import, export, evaluate a stored call) lives in :mod:`casadmin.engine_db`.
"""
