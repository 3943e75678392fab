import type { ComplianceCatalog } from "./compliance.de";

/** English `compliance` section, typed against compliance.de.ts. */
const compliance: ComplianceCatalog = {
  heading: "Compliance check",
  hint: "Checked while you type: personal data, advertising law (HWG), consent, alt texts.",
  checking: "Checking …",
  none: "No findings.",
  summary_one: "{{count}} finding, {{blocking}} blocking.",
  summary_other: "{{count}} findings, {{blocking}} blocking.",
  checkError: "The check is not reachable right now.",
  severity: {
    block: "Blocks",
    warn: "Note",
  },
  markStart: "Start {{severity}}:",
  markEnd: "End of highlight.",
  showSpan: "Show passage",
  textPreview: "Text with highlighted passages",
  where: {
    base: "Main text",
    channel: "Channel {{name}}",
    media: "Image {{name}}",
    post: "Whole post",
    image: "Image {{number}}",
  },
  panelHeading: "Compliance findings",
  blocking_one: "{{count}} finding blocks submission and publishing.",
  blocking_other: "{{count}} findings block submission and publishing.",
  noBlocking: "Nothing blocks submission.",
  overridden: "Approved by {{name}} on {{at}}",
  reason: "Reason: {{reason}}",
  override: "Approve finding",
  overrideTitle: "Approve finding",
  overrideIntro: "The approval covers exactly this passage. If the highlighted text changes, a new decision is needed. It is logged and shown to every reviewer.",
  overrideReason: "Reason",
  overrideReasonHint: "At least 10 characters, e.g. where the consent is kept.",
  overrideReasonShort: "Please give a reason of at least 10 characters.",
  overrideConfirm: "Approve",
  overrideDone: "Finding approved.",
  revoke: "Withdraw approval",
  revokeTitle: "Withdraw the approval?",
  revokeMessage: "The finding will block submission and publishing again.",
  revokeDone: "Approval withdrawn.",
  notOverridable: "Must be fixed in the post.",
};

export default compliance;
