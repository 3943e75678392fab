"""Instagram connector (Graph API with Facebook Login, professional accounts)."""
