"""The editor and admin UI under ``/admin``: server-rendered pages over the same services as the API."""
