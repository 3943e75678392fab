"""LinkedIn connector (organization pages: Posts API, Images API, OAuth 2 with refresh)."""
