"""``python -m app`` runs the CLI (the same as the ``klinikfunk`` command)."""

from app.cli import main

main()
