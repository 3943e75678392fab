import { createMemoryHistory } from "@tanstack/react-router";
import { render } from "@testing-library/react";
import { App } from "@/app/provider";
import { createAppRouter } from "@/app/router";
import { createQueryClient } from "@/lib/query-client";
import { setAccessToken } from "@/lib/auth/token-store";
import { backend } from "./server";

interface Options {
  /** Start signed in (the in-memory token is already set, as after a login). */
  signedIn?: boolean;
}

/** Render the whole SPA (router, query cache, i18n) at `path` against the msw backend. */
export function renderApp(path = "/", { signedIn = false }: Options = {}) {
  if (signedIn) {
    backend.refreshCookie = true;
    setAccessToken(backend.token);
  }
  const queryClient = createQueryClient();
  queryClient.setDefaultOptions({ queries: { retry: false, staleTime: 0 }, mutations: { retry: false } });
  const router = createAppRouter(queryClient, createMemoryHistory({ initialEntries: [path] }));
  const view = render(<App queryClient={queryClient} router={router} />);
  return { ...view, router, queryClient };
}
