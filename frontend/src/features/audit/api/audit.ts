import { infiniteQueryOptions, useInfiniteQuery, useMutation } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { AuditFilters } from "@/lib/api/types";

const PAGE_SIZE = 50;

export type AuditQuery = Pick<AuditFilters, "action" | "from" | "to">;

export const auditQueryOptions = (filters: AuditQuery) =>
  infiniteQueryOptions({
    queryKey: ["audit-events", filters] as const,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/api/v1/audit-events", {
          params: { query: { ...filters, limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });

export function useAuditEvents(filters: AuditQuery) {
  return useInfiniteQuery(auditQueryOptions(filters));
}

/** Download the filtered log as CSV; the request carries the bearer token, so no plain link works. */
export function useExportAudit() {
  return useMutation({
    mutationFn: async (filters: AuditQuery) => {
      const blob = await unwrap(
        api.GET("/api/v1/audit-events/export.csv", { params: { query: filters }, parseAs: "blob" }),
      );
      const url = URL.createObjectURL(blob as Blob);
      const anchor = document.createElement("a");
      anchor.href = url;
      anchor.download = `audit-log-${new Date().toISOString().slice(0, 10)}.csv`;
      document.body.append(anchor);
      anchor.click();
      anchor.remove();
      setTimeout(() => URL.revokeObjectURL(url), 0);
    },
  });
}

export function useVerifyAudit() {
  return useMutation({ mutationFn: () => unwrap(api.GET("/api/v1/audit-events/verify")) });
}
