import { infiniteQueryOptions, keepPreviousData, queryOptions, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type {
  Media,
  PostCreateInput,
  PostFilters,
  PostMediaInput,
  PostUpdateInput,
  PreviewInput,
  ScheduleInput,
  VariantInput,
} from "@/lib/api/types";

const PAGE_SIZE = 50;

export const postKeys = {
  all: ["posts"] as const,
  list: (filters: PostFilters) => ["posts", "list", filters] as const,
  one: (id: string) => ["posts", "one", id] as const,
  publications: (id: string) => ["posts", "publications", id] as const,
};

export const postListOptions = (filters: PostFilters) =>
  infiniteQueryOptions({
    queryKey: postKeys.list(filters),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(api.GET("/api/v1/posts", { params: { query: { ...filters, limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });

export function usePosts(filters: PostFilters) {
  return useInfiniteQuery(postListOptions(filters));
}

export const postOptions = (id: string) =>
  queryOptions({ queryKey: postKeys.one(id), queryFn: () => unwrap(api.GET("/api/v1/posts/{post_id}", { params: { path: { post_id: id } } })) });

export function usePost(id: string) {
  return useQuery(postOptions(id));
}

export function usePublications(id: string) {
  return useQuery({
    queryKey: postKeys.publications(id),
    queryFn: () =>
      unwrap(api.GET("/api/v1/posts/{post_id}/publications", { params: { path: { post_id: id }, query: { limit: 100 } } })),
  });
}

/** Connected channels the composer may target (the backend filters by the caller's scope). */
export function useTargetChannels() {
  return useQuery({
    queryKey: ["channels", "connected"] as const,
    queryFn: () => unwrap(api.GET("/api/v1/channels", { params: { query: { status: "connected", limit: 100 } } })),
  });
}

/** Live counters for the composer; the previous result stays visible while the next loads. */
export function usePreview(input: PreviewInput, enabled: boolean) {
  return useQuery({
    queryKey: ["posts", "preview", input] as const,
    queryFn: ({ signal }) => unwrap(api.POST("/api/v1/posts/preview-validation", { body: input, signal })),
    placeholderData: keepPreviousData,
    enabled,
    staleTime: 60_000,
  });
}

export interface SaveInput {
  id?: string;
  fields: PostCreateInput & PostUpdateInput;
  variants: VariantInput[];
  /** The attached images in order; sent with PUT /posts/{id}/media (omitted: left unchanged). */
  media?: PostMediaInput[];
}

/** Create a draft with its channels, or update the fields and replace the channels of a post. */
export function useSavePost() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, fields, variants, media }: SaveInput) => {
      let post;
      if (!id) {
        post = await unwrap(api.POST("/api/v1/posts", { body: { ...fields, variants } }));
        if (!media?.length) return post;
      } else {
        const { title, category, language, base_text, link_url, shows_patient, holding_statement } = fields;
        const update: PostUpdateInput = { title, category, language, base_text, link_url, shows_patient, holding_statement };
        await unwrap(api.PATCH("/api/v1/posts/{post_id}", { params: { path: { post_id: id } }, body: update }));
        post = await unwrap(api.PUT("/api/v1/posts/{post_id}/variants", { params: { path: { post_id: id } }, body: { variants } }));
        if (!media) return post;
      }
      return unwrap(api.PUT("/api/v1/posts/{post_id}/media", { params: { path: { post_id: post.id } }, body: { media } }));
    },
    onSuccess: (post) => {
      queryClient.setQueryData(postKeys.one(post.id), post);
      void queryClient.invalidateQueries({ queryKey: postKeys.all });
    },
  });
}

type Action = "submit" | "cancel" | "duplicate";

function postAction(action: Action, id: string) {
  const params = { params: { path: { post_id: id } } };
  switch (action) {
    case "submit":
      return unwrap(api.POST("/api/v1/posts/{post_id}/submit", params));
    case "cancel":
      return unwrap(api.POST("/api/v1/posts/{post_id}/cancel", params));
    case "duplicate":
      return unwrap(api.POST("/api/v1/posts/{post_id}/duplicate", params));
  }
}

function useInvalidatePosts() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: postKeys.all });
}

export function usePostAction(id: string) {
  const invalidate = useInvalidatePosts();
  return useMutation({
    mutationFn: (action: Action) => postAction(action, id),
    onSuccess: () => void invalidate(),
  });
}

export function useSchedulePost() {
  const invalidate = useInvalidatePosts();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: ScheduleInput }) =>
      unwrap(api.POST("/api/v1/posts/{post_id}/schedule", { params: { path: { post_id: id } }, body })),
    onSuccess: () => void invalidate(),
  });
}

export function usePublicationAction() {
  const invalidate = useInvalidatePosts();
  return useMutation({
    mutationFn: ({ id, kind, at }: { id: string; kind: "retry" | "resume"; at?: string }) =>
      kind === "retry"
        ? unwrap(api.POST("/api/v1/publications/{publication_id}/retry", { params: { path: { publication_id: id } }, body: at ? { at } : {} }))
        : unwrap(api.POST("/api/v1/publications/{publication_id}/resume", { params: { path: { publication_id: id } }, body: { at: at ?? "" } })),
    onSuccess: () => void invalidate(),
  });
}

/** Upload one image for a clinic's posts (multipart); the backend re-encodes it. */
export function useUploadMedia() {
  return useMutation({
    mutationFn: ({ file, clinicId }: { file: File; clinicId: string }) =>
      unwrap<Media>(
        api.POST("/api/v1/media", {
          body: { file: "", clinic_id: clinicId },
          bodySerializer: (body) => {
            const form = new FormData();
            form.append("file", file, file.name);
            form.append("clinic_id", body.clinic_id);
            return form;
          },
        }),
      ),
  });
}

/**
 * An object URL of a stored image, fetched with the bearer token (an `<img src>` cannot send it).
 * The URL is revoked when the query is dropped from the cache.
 */
export function useMediaUrl(mediaId: string) {
  return useQuery({
    queryKey: ["media", "content", mediaId] as const,
    queryFn: async () => {
      const blob = await unwrap(api.GET("/api/v1/media/{media_id}/content", { params: { path: { media_id: mediaId } }, parseAs: "blob" }));
      return URL.createObjectURL(blob as Blob);
    },
    staleTime: Infinity,
  });
}

/** Consent records of the post's clinic an editor may link (reduced view: no document, signer). */
export function useConsentSummaries(clinicId: string, enabled: boolean) {
  return useQuery({
    queryKey: ["posts", "consent-summaries", clinicId] as const,
    queryFn: () => unwrap(api.GET("/api/v1/consents/summaries", { params: { query: { clinic: clinicId, limit: 100 } } })),
    enabled,
  });
}

export function useSetConsents(postId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (consentIds: string[]) =>
      unwrap(api.PUT("/api/v1/posts/{post_id}/consents", { params: { path: { post_id: postId } }, body: { consent_ids: consentIds } })),
    onSuccess: (post) => {
      queryClient.setQueryData(postKeys.one(postId), post);
      void queryClient.invalidateQueries({ queryKey: postKeys.all });
    },
  });
}
