import type { AuditEvent, Channel, Crisis, HoldingStatement, Me, PausedPublication, Post, Publication, RoleAssignment, User } from "@/lib/api/types";

const ORG = "00000000-0000-4000-8000-000000000001";
const CLINIC_A = "00000000-0000-4000-8000-00000000000a";
const CREATED = "2026-11-01T09:00:00Z";

export const ids = {
  org: ORG,
  clinicA: CLINIC_A,
  post: "00000000-0000-4000-8000-000000000301",
  mastodon: "00000000-0000-4000-8000-000000000401",
  bluesky: "00000000-0000-4000-8000-000000000402",
  publication: "00000000-0000-4000-8000-000000000501",
  crisis: "00000000-0000-4000-8000-000000000601",
  region: "00000000-0000-4000-8000-000000000701",
};

export function makeUser(overrides: Partial<User> = {}): User {
  return {
    id: "00000000-0000-4000-8000-000000000101",
    email: "anna.admin@klinikum.example",
    full_name: "Anna Admin",
    locale: "de",
    is_active: true,
    organization_id: ORG,
    created_at: CREATED,
    last_login_at: null,
    ...overrides,
  };
}

function assignment(user: User, role: RoleAssignment["role"], scope: "organization" | "clinic"): RoleAssignment {
  return {
    id: `${user.id.slice(0, -3)}${role.length}${scope.length}`,
    user_id: user.id,
    role,
    scope_type: scope,
    scope_id: scope === "organization" ? ORG : CLINIC_A,
    scope_name: scope === "organization" ? "Klinikverbund Nord" : "Klinikum Altstadt",
    created_at: CREATED,
  };
}

export function adminMe(): Me {
  const user = makeUser();
  return {
    user,
    role_assignments: [assignment(user, "admin", "organization")],
    organization_permissions: [
      "users.manage",
      "organization.manage",
      "audit.read",
      "channels.manage",
      "crisis.manage",
      "posts.read",
      "posts.schedule",
    ],
    clinics: [{ clinic_id: CLINIC_A, clinic_name: "Klinikum Altstadt", permissions: ["users.manage", "audit.read"] }],
    regions: [{ region_id: ids.region, region_name: "Region Nord", clinic_ids: [CLINIC_A], permissions: ["crisis.manage", "posts.read"] }],
  };
}

export function moderatorMe(): Me {
  const user = makeUser({
    id: "00000000-0000-4000-8000-000000000102",
    email: "max.moderator@klinikum.example",
    full_name: "Max Moderator",
  });
  return {
    user,
    role_assignments: [assignment(user, "moderator", "clinic")],
    organization_permissions: [],
    clinics: [{ clinic_id: CLINIC_A, clinic_name: "Klinikum Altstadt", permissions: ["inbox.read", "inbox.work"] }],
    regions: [],
  };
}

export function someUsers(): User[] {
  return [
    makeUser(),
    makeUser({ id: "00000000-0000-4000-8000-000000000103", email: "eva.editor@klinikum.example", full_name: "Eva Editorin" }),
    makeUser({
      id: "00000000-0000-4000-8000-000000000104",
      email: "old.user@klinikum.example",
      full_name: "Otto Ehemalig",
      is_active: false,
    }),
  ];
}

export function auditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id: "00000000-0000-4000-8000-000000000201",
    seq: 1,
    occurred_at: "2026-11-20T08:15:00Z",
    action: "user.created",
    actor_id: makeUser().id,
    actor_name: "Anna Admin",
    target_type: "user",
    target_id: "00000000-0000-4000-8000-000000000103",
    clinic_id: null,
    ip: "127.0.0.1",
    details: {},
    ...overrides,
  };
}

const EDITOR_PERMISSIONS: Me["organization_permissions"] = ["posts.read", "posts.write", "posts.schedule"];

/** An editor of Klinikum Altstadt (posts.read/write/schedule there). */
export function editorMe(): Me {
  const user = makeUser({ id: "00000000-0000-4000-8000-000000000105", email: "redaktion@klinikum.example", full_name: "Rita Redaktion" });
  return {
    user,
    role_assignments: [assignment(user, "editor", "clinic")],
    organization_permissions: [],
    clinics: [{ clinic_id: CLINIC_A, clinic_name: "Klinikum Altstadt", permissions: EDITOR_PERMISSIONS }],
    regions: [{ region_id: ids.region, region_name: "Region Nord", clinic_ids: [CLINIC_A], permissions: EDITOR_PERMISSIONS }],
  };
}

/** A communications lead for the whole organization (reviews, crisis). */
export function commsMe(): Me {
  const user = makeUser({ id: "00000000-0000-4000-8000-000000000106", email: "kommunikation@klinikum.example", full_name: "Klara Kommunikation" });
  const permissions: Me["organization_permissions"] = ["posts.read", "review.comms", "crisis.manage", "inbox.read", "kpis.read"];
  return {
    user,
    role_assignments: [assignment(user, "comms_lead", "organization")],
    organization_permissions: permissions,
    clinics: [{ clinic_id: CLINIC_A, clinic_name: "Klinikum Altstadt", permissions }],
    regions: [{ region_id: ids.region, region_name: "Region Nord", clinic_ids: [CLINIC_A], permissions }],
  };
}

export function makeChannel(overrides: Partial<Channel> = {}): Channel {
  return {
    id: ids.mastodon,
    created_at: CREATED,
    updated_at: CREATED,
    organization_id: ORG,
    clinic_id: CLINIC_A,
    platform: "mastodon",
    display_name: "Altstadt auf Mastodon",
    handle: "@altstadt@social.example",
    platform_account_id: "1",
    instance_url: "https://social.example",
    status: "connected",
    status_reason: null,
    authorization_expires_at: null,
    last_checked_at: null,
    connected_by_id: null,
    ...overrides,
  };
}

export function makePost(overrides: Partial<Post> = {}): Post {
  return {
    id: ids.post,
    created_at: CREATED,
    updated_at: CREATED,
    organization_id: ORG,
    clinic_id: CLINIC_A,
    title: "Grippeimpfung im Herbst",
    category: "health_tip",
    campaign: null,
    language: "de",
    base_text: "Jetzt impfen lassen!",
    link_url: null,
    utm: {},
    tagged_link: null,
    status: "draft",
    shows_patient: false,
    holding_statement: false,
    content_version: 1,
    scheduled_at: null,
    scheduled_local: null,
    timezone: "Europe/Berlin",
    created_by_id: "00000000-0000-4000-8000-000000000105",
    approved_by_id: null,
    approved_at: null,
    approval_current: false,
    variants: [{ channel_id: ids.mastodon, platform: "mastodon", channel_name: "Altstadt auf Mastodon", text_override: null, options: {} }],
    media: [],
    ...overrides,
  };
}

export function makePublication(overrides: Partial<Publication> = {}): Publication {
  return {
    id: ids.publication,
    created_at: CREATED,
    post_id: ids.post,
    channel_id: ids.mastodon,
    clinic_id: CLINIC_A,
    channel_name: "Altstadt auf Mastodon",
    platform: "mastodon",
    status: "pending",
    due_at: "2026-11-20T08:30:00Z",
    next_attempt_at: "2026-11-20T08:30:00Z",
    attempts: 0,
    error: null,
    error_code: null,
    platform_post_id: null,
    platform_url: null,
    published_at: null,
    ...overrides,
  };
}

export function makeCrisis(overrides: Partial<Crisis> = {}): Crisis {
  return {
    id: ids.crisis,
    created_at: CREATED,
    organization_id: ORG,
    scope_type: "clinic",
    scope_id: CLINIC_A,
    reason: "Brand im Nordflügel",
    started_by_id: "00000000-0000-4000-8000-000000000106",
    started_at: "2026-11-20T07:00:00Z",
    ended_at: null,
    ended_by_id: null,
    active: true,
    ...overrides,
  };
}

export function makePaused(overrides: Partial<PausedPublication> = {}): PausedPublication {
  return {
    ...makePublication({ status: "paused" }),
    post_title: "Grippeimpfung im Herbst",
    timezone: "Europe/Berlin",
    due_local: "2026-11-20T09:30:00",
    ...overrides,
  };
}

export function makeHoldingStatement(overrides: Partial<HoldingStatement> = {}): HoldingStatement {
  return {
    id: "00000000-0000-4000-8000-000000000311",
    clinic_id: CLINIC_A,
    clinic_name: "Klinikum Altstadt",
    title: "Erstinformation Brand",
    language: "de",
    base_text: "Wir informieren hier fortlaufend.",
    status: "approved",
    updated_at: CREATED,
    approved: true,
    channels_connected: true,
    compliance_ok: true,
    crisis_active: true,
    ready: true,
    problems: [],
    channels: [{ channel_id: ids.mastodon, channel_name: "Altstadt auf Mastodon", platform: "mastodon", connected: true }],
    publications: [],
    ...overrides,
  };
}
