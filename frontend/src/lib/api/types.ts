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
