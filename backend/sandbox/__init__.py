"""The sandbox platform: a local stand-in for the social platforms (tests and offline demo)."""
