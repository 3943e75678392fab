import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { RequestBody } from "@/lib/api/types";
import { meQueryOptions } from "@/lib/auth/me";

export type MeUpdate = RequestBody<"/api/v1/me", "patch">;
export type PasswordChange = RequestBody<"/api/v1/me/password", "post">;

export function useUpdateMe() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: MeUpdate) => unwrap(api.PATCH("/api/v1/me", { body: input })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: meQueryOptions().queryKey }),
  });
}

export function useChangePassword() {
  return useMutation({
    mutationFn: (input: PasswordChange) => unwrap(api.POST("/api/v1/me/password", { body: input })),
  });
}
