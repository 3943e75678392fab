import type { QueryClient } from "@tanstack/react-query";
import { QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { useEffect } from "react";
import { I18nextProvider } from "react-i18next";
import { Toaster } from "@/components/ui/toaster";
import { onSessionExpired } from "@/lib/auth/session";
import i18n from "@/lib/i18n";
import type { createAppRouter } from "./router";

interface AppProps {
  queryClient: QueryClient;
  router: ReturnType<typeof createAppRouter>;
}

/** Query cache, translations, toasts and the router; a refused token renewal leads to the login page. */
export function App({ queryClient, router }: AppProps) {
  useEffect(
    () =>
      onSessionExpired(() => {
        queryClient.clear();
        void router.navigate({ to: "/login", search: { expired: true } });
      }),
    [queryClient, router],
  );

  return (
    <I18nextProvider i18n={i18n}>
      <QueryClientProvider client={queryClient}>
        <Toaster>
          <RouterProvider router={router} />
        </Toaster>
      </QueryClientProvider>
    </I18nextProvider>
  );
}
