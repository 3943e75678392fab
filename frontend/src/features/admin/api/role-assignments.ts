import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { RoleAssignmentInput } from "@/lib/api/types";

export const assignmentKeys = {
  forUser: (userId: string) => ["role-assignments", userId] as const,
};

export const assignmentsQueryOptions = (userId: string) =>
  queryOptions({
    queryKey: assignmentKeys.forUser(userId),
    queryFn: () =>
      unwrap(api.GET("/api/v1/role-assignments", { params: { query: { user_id: userId, limit: 100 } } })),
  });

export function useAssignments(userId: string) {
  return useQuery(assignmentsQueryOptions(userId));
}

export const rolesQueryOptions = () =>
  queryOptions({
    queryKey: ["roles"] as const,
    queryFn: () => unwrap(api.GET("/api/v1/roles")),
    staleTime: Infinity,
  });

export function useRoles() {
  return useQuery(rolesQueryOptions());
}

export function useAddAssignment(userId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: RoleAssignmentInput) => unwrap(api.POST("/api/v1/role-assignments", { body: input })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: assignmentKeys.forUser(userId) }),
  });
}

export function useRemoveAssignment(userId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (assignmentId: string) =>
      unwrap(
        api.DELETE("/api/v1/role-assignments/{assignment_id}", { params: { path: { assignment_id: assignmentId } } }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: assignmentKeys.forUser(userId) }),
  });
}
