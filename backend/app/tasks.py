"""Imports every module's tasks so the worker registry knows them all."""

import app.audit.tasks
import app.auth.tasks
import app.channels.tasks
import app.consent.tasks
import app.publishing.tasks
import app.webhooks.tasks
import app.worker.tasks  # noqa: F401
