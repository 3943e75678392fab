import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { CrisisInput } from "@/lib/api/types";

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

export function useResumePublication() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, at }: { id: string; at: string }) =>
      unwrap(api.POST("/api/v1/publications/{publication_id}/resume", { params: { path: { publication_id: id } }, body: { at } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: crisisKey });
      void queryClient.invalidateQueries({ queryKey: ["posts"] });
    },
  });
}
