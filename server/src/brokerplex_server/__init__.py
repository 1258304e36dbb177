"""brokerplex-server: ``brokerplex serve`` (REST ``/api/v1`` and the ``/api/v1/stream`` WebSocket over the
hub), users with roles, API keys and the audit log, all in the brokerplex store."""
