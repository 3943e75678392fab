import createClient from "openapi-fetch";
import { apiBaseUrl, CLIENT_HEADER, CLIENT_NAME } from "./base-url";
import type { paths } from "./schema.gen";

/** A client without the auth middleware, for the token endpoints themselves. */
export const bareClient = createClient<paths>({
  baseUrl: apiBaseUrl(),
  credentials: "same-origin",
  headers: { [CLIENT_HEADER]: CLIENT_NAME },
  // Resolve fetch at call time so test interceptors and polyfills installed later are used.
  fetch: (request: Request) => globalThis.fetch(request),
});
