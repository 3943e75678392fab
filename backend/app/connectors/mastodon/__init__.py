"""Mastodon connector (any instance)."""
