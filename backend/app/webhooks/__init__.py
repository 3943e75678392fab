"""Inbound webhooks (issue 5, ingestion): Meta's verification handshake and signed deliveries.

Decisions:
- The endpoint verifies ``X-Hub-Signature-256`` over the raw bytes with the Meta app secret
  (constant-time), stores the body unchanged in ``webhook_events`` and enqueues one
  ``webhooks.process`` job in the same transaction, then answers 200. A missing signature is
  401, a wrong one 403; both are logged (length only, never the body) and store nothing.
- Deduplication: the row is unique on (provider, dedupe key); the key hashes the platform ids
  of the delivery (object id, verb, change time; Messenger ``mid``), so a platform retry is
  absorbed with 200 and no second job. Per message, ``app.inbox.ingestion.ingest`` is
  idempotent too, so overlapping deliveries and out-of-order edits store each message once.
- Processing maps the entry's account id to channels (Facebook Page, Instagram account); a
  delivery for no known channel is kept as ``ignored`` with the reason, never dropped.
  ``edited`` updates the stored text (or stores the comment if the ``add`` has not come yet),
  ``remove``/``hide`` mark the message hidden, ``unhide`` shows it again.
"""
