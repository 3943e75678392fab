import { infiniteQueryOptions, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { RequestBody, ResponseBody } from "@/lib/api/types";

export type QueuePage = ResponseBody<"/api/v1/approvals/queue", "get">;
export type QueueItem = QueuePage["items"][number];
export type Review = ResponseBody<"/api/v1/posts/{post_id}/review", "get">;
export type ReviewKind = QueueItem["review"];
export type DecisionInput = RequestBody<"/api/v1/posts/{post_id}/review/decisions", "post">;
export type Decision = DecisionInput["decision"];
export type FieldDiff = Review["diff"]["fields"][number];
export type DiffSegment = FieldDiff["segments"][number];
export type Effective = ResponseBody<"/api/v1/approval-policies/effective", "get">;
export type EffectivePolicy = Effective["items"][number];
export type PolicyStep = EffectivePolicy["steps"][number];
export type PolicyCategory = EffectivePolicy["category"];

export const REVIEW_KINDS: ReviewKind[] = ["medical", "privacy", "comms"];
const PAGE_SIZE = 25;
export const POLL_MS = 60_000;

export const approvalKeys = {
  all: ["approvals"] as const,
  queue: ["approvals", "queue"] as const,
  count: ["approvals", "queue", "count"] as const,
  review: (postId: string) => ["approvals", "review", postId] as const,
  effective: (clinic: string | null) => ["approvals", "policies", clinic ?? "organization"] as const,
};

export const queueOptions = () =>
  infiniteQueryOptions({
    queryKey: approvalKeys.queue,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(api.GET("/api/v1/approvals/queue", { params: { query: { limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });

export function useApprovalQueue() {
  return useInfiniteQuery(queueOptions());
}

/** How many posts wait for the caller (the navigation badge); polled every minute. */
export function useQueueCount(enabled: boolean) {
  return useQuery({
    queryKey: approvalKeys.count,
    queryFn: () => unwrap(api.GET("/api/v1/approvals/queue", { params: { query: { limit: 1 } } })),
    select: (page) => page.total,
    refetchInterval: POLL_MS,
    enabled,
  });
}

export function useReview(postId: string) {
  return useQuery({
    queryKey: approvalKeys.review(postId),
    queryFn: () => unwrap(api.GET("/api/v1/posts/{post_id}/review", { params: { path: { post_id: postId } } })),
  });
}

export function useDecide(postId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: DecisionInput) =>
      unwrap(api.POST("/api/v1/posts/{post_id}/review/decisions", { params: { path: { post_id: postId } }, body })),
    onSuccess: (review) => {
      queryClient.setQueryData(approvalKeys.review(postId), review);
      void queryClient.invalidateQueries({ queryKey: approvalKeys.queue });
      void queryClient.invalidateQueries({ queryKey: ["posts"] });
    },
  });
}

export function useEffectivePolicies(clinic: string | null) {
  return useQuery({
    queryKey: approvalKeys.effective(clinic),
    queryFn: () => unwrap(api.GET("/api/v1/approval-policies/effective", { params: { query: clinic ? { clinic } : {} } })),
  });
}

export interface PolicySave {
  policyId: string | null;
  clinicId: string | null;
  category: PolicyCategory;
  steps: PolicyStep[];
}

/** Create the scope's own policy for a category, or replace the steps of the existing one. */
export function useSavePolicy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ policyId, clinicId, category, steps }: PolicySave) =>
      policyId
        ? unwrap(api.PATCH("/api/v1/approval-policies/{policy_id}", { params: { path: { policy_id: policyId } }, body: { steps } }))
        : unwrap(api.POST("/api/v1/approval-policies", { body: { clinic_id: clinicId, category, steps } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["approvals", "policies"] }),
  });
}

export function useDeletePolicy() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (policyId: string) =>
      unwrap(api.DELETE("/api/v1/approval-policies/{policy_id}", { params: { path: { policy_id: policyId } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["approvals", "policies"] }),
  });
}
