"""Media uploads: content-checked, re-encoded images stored outside any served path (FEAT-14,
SEC-30), served to signed-in users and, through short-lived signed URLs, to platforms that pull
images by URL (Facebook, Instagram)."""
