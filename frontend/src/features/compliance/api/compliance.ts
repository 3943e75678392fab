import { keepPreviousData, queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { RequestBody, ResponseBody } from "@/lib/api/types";

export type CheckInput = RequestBody<"/api/v1/compliance/check", "post">;
export type CheckResult = ResponseBody<"/api/v1/compliance/check", "post">;
export type CheckFinding = CheckResult["findings"][number];
export type PostCompliance = ResponseBody<"/api/v1/posts/{post_id}/compliance", "get">;
export type PostFinding = PostCompliance["findings"][number];

export const complianceKeys = {
  // Under "posts": every post change (save, submit, schedule …) refreshes the findings too.
  post: (id: string) => ["posts", "compliance", id] as const,
  check: (input: CheckInput) => ["compliance", "check", input] as const,
};

/** Findings of a text while it is being written; the previous result stays visible meanwhile. */
export function useTextCheck(input: CheckInput, enabled: boolean) {
  return useQuery({
    queryKey: complianceKeys.check(input),
    queryFn: ({ signal }) => unwrap(api.POST("/api/v1/compliance/check", { body: input, signal })),
    placeholderData: keepPreviousData,
    enabled,
    staleTime: 60_000,
  });
}

export const postComplianceOptions = (id: string) =>
  queryOptions({
    queryKey: complianceKeys.post(id),
    queryFn: () => unwrap(api.GET("/api/v1/posts/{post_id}/compliance", { params: { path: { post_id: id } } })),
  });

export function usePostCompliance(id: string) {
  return useQuery(postComplianceOptions(id));
}

/** A privacy officer lets one block finding pass, with a written reason. */
export function useCreateOverride(postId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { fingerprint: string; reason: string }) =>
      unwrap(api.POST("/api/v1/posts/{post_id}/compliance/overrides", { params: { path: { post_id: postId } }, body })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: complianceKeys.post(postId) }),
  });
}

export function useRevokeOverride(postId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (overrideId: string) =>
      unwrap(
        api.DELETE("/api/v1/posts/{post_id}/compliance/overrides/{override_id}", {
          params: { path: { post_id: postId, override_id: overrideId } },
        }),
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: complianceKeys.post(postId) }),
  });
}
