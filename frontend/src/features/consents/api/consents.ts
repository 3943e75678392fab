import { infiniteQueryOptions, queryOptions, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { ConsentCreateInput, ConsentRead, ConsentState, ConsentUpdateInput } from "@/lib/api/types";

const PAGE_SIZE = 50;

export const consentKeys = {
  all: ["consents"] as const,
  list: (status: ConsentState | null) => ["consents", "list", status] as const,
  one: (id: string) => ["consents", "one", id] as const,
};

export const consentListOptions = (status: ConsentState | null) =>
  infiniteQueryOptions({
    queryKey: consentKeys.list(status),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/api/v1/consents", {
          params: { query: { limit: PAGE_SIZE, ...(status ? { status: [status] } : {}), ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });

export function useConsents(status: ConsentState | null) {
  return useInfiniteQuery(consentListOptions(status));
}

export const consentOptions = (id: string) =>
  queryOptions({
    queryKey: consentKeys.one(id),
    queryFn: () => unwrap(api.GET("/api/v1/consents/{consent_id}", { params: { path: { consent_id: id } } })),
    // Takedowns run in the worker: keep the per-publication status fresh while one is open.
    refetchInterval: (query) =>
      query.state.data?.posts.some((post) => post.publications.some((p) => p.takedown_status === "pending" || p.takedown_status === "deleting"))
        ? 5_000
        : false,
  });

export function useConsent(id: string) {
  return useQuery(consentOptions(id));
}

/** Channels of the caller's organization, to choose a consent's scope. */
export function useScopeChannels() {
  return useQuery({
    queryKey: ["consents", "channels"] as const,
    queryFn: () => unwrap(api.GET("/api/v1/channels", { params: { query: { limit: 100 } } })),
  });
}

function useInvalidate() {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: consentKeys.all });
    void queryClient.invalidateQueries({ queryKey: ["posts"] });
  };
}

export function useCreateConsent() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (input: ConsentCreateInput) => unwrap<ConsentRead>(api.POST("/api/v1/consents", { body: input })),
    onSuccess: invalidate,
  });
}

export function useUpdateConsent(id: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (input: ConsentUpdateInput) =>
      unwrap<ConsentRead>(api.PATCH("/api/v1/consents/{consent_id}", { params: { path: { consent_id: id } }, body: input })),
    onSuccess: invalidate,
  });
}

export function useWithdrawConsent(id: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (reason: string) =>
      unwrap(api.POST("/api/v1/consents/{consent_id}/withdraw", { params: { path: { consent_id: id } }, body: { reason } })),
    onSuccess: invalidate,
  });
}

export function useUploadDocument(id: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (file: File) =>
      unwrap(
        api.PUT("/api/v1/consents/{consent_id}/document", {
          params: { path: { consent_id: id } },
          body: { file: "" },
          bodySerializer: () => {
            const form = new FormData();
            form.append("file", file, file.name);
            return form;
          },
        }),
      ),
    onSuccess: invalidate,
  });
}

/** Fetch the document with the bearer token and hand it to the browser as a download. */
export function useDownloadDocument(id: string) {
  return useMutation({
    mutationFn: async (filename: string) => {
      const blob = await unwrap(api.GET("/api/v1/consents/{consent_id}/document", { params: { path: { consent_id: id } }, parseAs: "blob" }));
      const url = URL.createObjectURL(blob as Blob);
      const anchor = document.createElement("a");
      anchor.href = url;
      anchor.download = filename;
      anchor.click();
      URL.revokeObjectURL(url);
    },
  });
}
