import { infiniteQueryOptions, queryOptions, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { UserCreateInput, UserUpdateInput } from "@/lib/api/types";

export interface UserFilters {
  q: string;
  isActive: boolean | undefined;
}

const PAGE_SIZE = 25;

export const userKeys = {
  all: ["users"] as const,
  list: (filters: UserFilters) => ["users", "list", filters] as const,
  detail: (id: string) => ["users", "detail", id] as const,
};

export const usersQueryOptions = (filters: UserFilters) =>
  infiniteQueryOptions({
    queryKey: userKeys.list(filters),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/api/v1/users", {
          params: {
            query: {
              limit: PAGE_SIZE,
              ...(filters.q ? { q: filters.q } : {}),
              ...(filters.isActive !== undefined ? { is_active: filters.isActive } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });

export function useUsers(filters: UserFilters) {
  return useInfiniteQuery(usersQueryOptions(filters));
}

export const userQueryOptions = (id: string) =>
  queryOptions({
    queryKey: userKeys.detail(id),
    queryFn: () => unwrap(api.GET("/api/v1/users/{user_id}", { params: { path: { user_id: id } } })),
  });

export function useUser(id: string) {
  return useQuery(userQueryOptions(id));
}

export function useCreateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UserCreateInput) => unwrap(api.POST("/api/v1/users", { body: input })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: userKeys.all }),
  });
}

export function useUpdateUser(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UserUpdateInput) =>
      unwrap(api.PATCH("/api/v1/users/{user_id}", { params: { path: { user_id: id } }, body: input })),
    onSuccess: (user) => {
      queryClient.setQueryData(userKeys.detail(id), user);
      return queryClient.invalidateQueries({ queryKey: ["users", "list"] });
    },
  });
}

/** Issue a one-time password reset link for the user (shown once to the admin). */
export function useResetUserPassword(id: string) {
  return useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/v1/users/{user_id}/password-reset", { params: { path: { user_id: id } } })),
  });
}
