"""Facebook Pages connector (Graph API)."""
