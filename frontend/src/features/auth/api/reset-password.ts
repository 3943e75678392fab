import { useMutation } from "@tanstack/react-query";
import { unwrap } from "@/lib/api/client";
import { bareClient } from "@/lib/api/bare-client";
import type { RequestBody } from "@/lib/api/types";

export type PasswordResetInput = RequestBody<"/api/v1/auth/password-reset", "post">;

export function useResetPassword() {
  return useMutation({
    mutationFn: (input: PasswordResetInput) => unwrap(bareClient.POST("/api/v1/auth/password-reset", { body: input })),
  });
}
