"""Who is asking: users and roles, API keys, cookie sessions with CSRF, sign-in limits."""
