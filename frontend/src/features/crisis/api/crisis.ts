import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { CrisisInput, HoldingStatement, ResumeInput } from "@/lib/api/types";

const crisisKey = ["crisis"] as const;

/** Crises in the caller's scope, active first; re-checked every minute. */
export function useCrises() {
  return useQuery({
    queryKey: [...crisisKey, "list"] as const,
    queryFn: () => unwrap(api.GET("/api/v1/crisis", { params: { query: { limit: 50 } } })),
    refetchInterval: 60_000,
  });
}

export function useStartCrisis() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: CrisisInput) => unwrap(api.POST("/api/v1/crisis", { body: input })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: crisisKey });
      void queryClient.invalidateQueries({ queryKey: ["posts"] });
    },
  });
}

export function useEndCrisis() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.POST("/api/v1/crisis/{crisis_id}/end", { params: { path: { crisis_id: id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: crisisKey }),
  });
}

export function usePausedPublications(enabled: boolean) {
  return useQuery({
    queryKey: [...crisisKey, "paused"] as const,
    queryFn: () => unwrap(api.GET("/api/v1/crisis/paused", { params: { query: { limit: 100 } } })),
    enabled,
  });
}

/** Resume a paused publication at a wall-clock time in its clinic's zone (`fold` for the repeated hour). */
export function useResumePublication() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: ResumeInput }) =>
      unwrap(api.POST("/api/v1/publications/{publication_id}/resume", { params: { path: { publication_id: id } }, body })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: crisisKey });
      void queryClient.invalidateQueries({ queryKey: ["posts"] });
    },
  });
}

const OPEN = new Set(["pending", "publishing"]);

/** True while a published holding statement still has a publication on its way. */
export function isInProgress(item: HoldingStatement): boolean {
  return item.publications.some((publication) => OPEN.has(publication.status));
}

/** The dark-site set with readiness; polled every 3 s while a publication is on its way. */
export function useHoldingStatements(enabled: boolean) {
  return useQuery({
    queryKey: [...crisisKey, "holding"] as const,
    queryFn: () => unwrap(api.GET("/api/v1/crisis/holding-statements", { params: { query: { limit: 100 } } })),
    enabled,
    refetchInterval: (query) => ((query.state.data?.items ?? []).some(isInProgress) ? 3_000 : false),
  });
}

export function usePublishHoldingStatements() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (postIds: string[]) => unwrap(api.POST("/api/v1/crisis/holding-statements/publish", { body: { post_ids: postIds } })),
    onSuccess: (result) => {
      queryClient.setQueryData([...crisisKey, "holding"], (old: { items: HoldingStatement[]; next_cursor: string | null } | undefined) =>
        old ? { ...old, items: old.items.map((item) => result.items.find((fresh) => fresh.id === item.id) ?? item) } : old,
      );
      void queryClient.invalidateQueries({ queryKey: [...crisisKey, "holding"] });
      void queryClient.invalidateQueries({ queryKey: ["posts"] });
    },
  });
}
