import { useMutation } from "@tanstack/react-query";
import { unwrap } from "@/lib/api/client";
import { bareClient } from "@/lib/api/bare-client";
import type { RequestBody } from "@/lib/api/types";
import { setAccessToken } from "@/lib/auth/token-store";

export type LoginInput = RequestBody<"/api/v1/auth/login", "post">;

/** Sign in; the refresh token arrives as an httpOnly cookie, the access token stays in memory. */
export async function login(input: LoginInput): Promise<void> {
  const tokens = await unwrap(bareClient.POST("/api/v1/auth/login", { body: input }));
  setAccessToken(tokens.access_token);
}

export function useLogin() {
  return useMutation({ mutationFn: login });
}
