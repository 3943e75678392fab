import type { paths } from "./schema.gen";

type Method = "get" | "post" | "patch" | "put" | "delete";

type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

type SuccessResponses<O> = O extends { responses: infer R }
  ? R extends Record<number, unknown>
    ? R[Extract<keyof R, 200 | 201>]
    : never
  : never;

/** The JSON body of the 200/201 answer of `METHOD path`, taken from the generated schema. */
export type ResponseBody<P extends keyof paths, M extends Method> =
  SuccessResponses<Operation<P, M>> extends { content: { "application/json": infer B } } ? B : never;

/** The JSON request body of `METHOD path`. */
export type RequestBody<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { requestBody?: { content: { "application/json": infer B } } } ? B : never;

/** The query parameters of `METHOD path`. */
export type QueryParams<P extends keyof paths, M extends Method> =
  Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

export type Me = ResponseBody<"/api/v1/me", "get">;
export type User = ResponseBody<"/api/v1/users/{user_id}", "get">;
export type UserPage = ResponseBody<"/api/v1/users", "get">;
export type UserCreateInput = RequestBody<"/api/v1/users", "post">;
export type UserUpdateInput = RequestBody<"/api/v1/users/{user_id}", "patch">;
export type CreatedUser = ResponseBody<"/api/v1/users", "post">;
export type PasswordSetup = ResponseBody<"/api/v1/users/{user_id}/password-reset", "post">;
export type RoleAssignment = ResponseBody<"/api/v1/role-assignments", "post">;
export type RoleAssignmentInput = RequestBody<"/api/v1/role-assignments", "post">;
export type RoleInfo = ResponseBody<"/api/v1/roles", "get">["items"][number];
export type RoleName = RoleAssignment["role"];
export type ScopeType = RoleAssignment["scope_type"];
export type Clinic = ResponseBody<"/api/v1/clinics/{clinic_id}", "get">;
export type ClinicInput = RequestBody<"/api/v1/clinics", "post">;
export type ClinicUpdateInput = RequestBody<"/api/v1/clinics/{clinic_id}", "patch">;
export type Region = ResponseBody<"/api/v1/regions/{region_id}", "get">;
export type RegionInput = RequestBody<"/api/v1/regions", "post">;
export type RegionUpdateInput = RequestBody<"/api/v1/regions/{region_id}", "patch">;
export type Organization = ResponseBody<"/api/v1/organizations/{organization_id}", "get">;
export type AuditEvent = ResponseBody<"/api/v1/audit-events", "get">["items"][number];
export type AuditFilters = QueryParams<"/api/v1/audit-events", "get">;
export type AuditVerifyResult = ResponseBody<"/api/v1/audit-events/verify", "get">;
export type TokenResponse = ResponseBody<"/api/v1/auth/login", "post">;
/** The languages the API accepts on writes (reads return the stored string). */
export type Locale = NonNullable<UserUpdateInput["locale"]>;
export type Permission = Me["organization_permissions"][number];
export type Post = ResponseBody<"/api/v1/posts/{post_id}", "get">;
export type PostStatus = Post["status"];
export type PostCategory = Post["category"];
export type PostFilters = QueryParams<"/api/v1/posts", "get">;
export type PostCreateInput = RequestBody<"/api/v1/posts", "post">;
export type PostUpdateInput = RequestBody<"/api/v1/posts/{post_id}", "patch">;
export type Media = ResponseBody<"/api/v1/media/{media_id}", "get">;
export type PostMedia = Post["media"][number];
export type PostMediaInput = RequestBody<"/api/v1/posts/{post_id}/media", "put">["media"][number];
export type VariantInput = RequestBody<"/api/v1/posts/{post_id}/variants", "put">["variants"][number];
export type PreviewInput = RequestBody<"/api/v1/posts/preview-validation", "post">;
export type PreviewResult = ResponseBody<"/api/v1/posts/preview-validation", "post">;
export type TargetCheck = PreviewResult["targets"][number];
export type ScheduleInput = RequestBody<"/api/v1/posts/{post_id}/schedule", "post">;
export type Publication = ResponseBody<"/api/v1/posts/{post_id}/publications", "get">["items"][number];
export type PublicationStatus = Publication["status"];
export type Channel = ResponseBody<"/api/v1/channels/{channel_id}", "get">;
export type ChannelStatus = Channel["status"];
export type Platform = Channel["platform"];
export type ConnectInput = RequestBody<"/api/v1/channels/connect", "post">;
export type ConnectStarted = ResponseBody<"/api/v1/channels/connect", "post">;
export type ChannelConnection = ResponseBody<"/api/v1/channels/connections/{connection_id}", "get">;
export type Consent = ResponseBody<"/api/v1/consents/{consent_id}", "get">;
export type ConsentRead = ResponseBody<"/api/v1/consents", "get">["items"][number];
export type ConsentSummary = ResponseBody<"/api/v1/consents/summaries", "get">["items"][number];
export type ConsentState = ConsentRead["status"];
export type ConsentCreateInput = RequestBody<"/api/v1/consents", "post">;
export type ConsentUpdateInput = RequestBody<"/api/v1/consents/{consent_id}", "patch">;
export type SubjectKind = ConsentRead["subject_kind"];
export type LegalBasis = ConsentRead["legal_basis"];
export type Takedown = Consent["posts"][number]["publications"][number];
export type Crisis = ResponseBody<"/api/v1/crisis", "get">["items"][number];
export type CrisisInput = RequestBody<"/api/v1/crisis", "post">;
export type CrisisStarted = ResponseBody<"/api/v1/crisis", "post">;
export type PausedPublication = ResponseBody<"/api/v1/crisis/paused", "get">["items"][number];
export type ResumeInput = RequestBody<"/api/v1/publications/{publication_id}/resume", "post">;
export type HoldingStatement = ResponseBody<"/api/v1/crisis/holding-statements", "get">["items"][number];
