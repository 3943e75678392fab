"""Social platform connectors behind one interface (see :mod:`app.connectors.base`)."""
