"""The inbox (issue 5), first part: storage, ingestion, triage, SLA, the thread API and saved
replies.

Decisions:
- Reading needs ``inbox.read``, every action ``inbox.work`` in the thread's clinic (objects of
  other clinics answer 404 and are absent from lists and counts). Threads of an
  organization-wide channel (no clinic) are visible to organization-level holders only.
- Saved replies are approved wording, so a new permission ``saved_replies.manage`` (comms lead;
  admins hold every permission) maintains them; ``saved_replies.use`` (editor, moderator, comms
  lead, admin) lists and renders them. Organization-wide replies need the permission at
  organization level.
- Escalation goes to a role that can read the inbox (admin, privacy officer, comms lead,
  moderator), i.e. to everyone holding it for the thread's clinic; the notification carries no
  message content, the reason is kept as an internal note.
- SLA: the target of the arrival time's kind (office hours in the clinic's zone, else on-call)
  is added to the arrival instant; a later message of higher priority can only bring the due
  time forward. A new message reopens a resolved thread. The policy is read by inbox readers and
  set by ``policies.manage`` (admins); a change applies to messages arriving afterwards.
"""
