/** An RFC 9457 problem document as the API renders it. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string | null;
  errors?: { field: string; message: string; type?: string }[];
}

/** A failed API call: the HTTP status, the problem body if there was one, and Retry-After in seconds. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | null;
  readonly retryAfter: number | null;

  constructor(status: number, problem: unknown, retryAfter: string | null = null) {
    const parsed = isProblem(problem) ? problem : null;
    super(parsed?.detail ?? parsed?.title ?? `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.problem = parsed;
    const seconds = retryAfter === null ? NaN : Number(retryAfter);
    this.retryAfter = Number.isFinite(seconds) ? seconds : null;
  }
}

function isProblem(value: unknown): value is Problem {
  return typeof value === "object" && value !== null && ("title" in value || "detail" in value || "errors" in value);
}

/** Maps each invalid field of a 422 to its message; "body.email" and "email" both become "email". */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError) || !error.problem?.errors) return {};
  const result: Record<string, string> = {};
  for (const item of error.problem.errors) {
    const name = item.field.split(".").pop() ?? item.field;
    result[name] ??= item.message;
  }
  return result;
}

/** True when a 422 has field errors that a form can show next to its inputs. */
export function hasFieldErrors(error: unknown): boolean {
  return Object.keys(fieldErrors(error)).length > 0;
}

/** The problem's detail followed by each distinct field message (e.g. one per channel). */
export function problemMessages(error: unknown): string[] {
  if (!(error instanceof ApiError) || !error.problem) return [];
  const messages = [error.problem.detail ?? error.problem.title ?? ""];
  for (const item of error.problem.errors ?? []) messages.push(item.message);
  return [...new Set(messages.filter(Boolean))];
}
