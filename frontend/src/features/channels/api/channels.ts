import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { ConnectInput } from "@/lib/api/types";

const POLL_MS = 2000;

export function useChannels() {
  return useQuery({
    queryKey: ["channels", "settings"] as const,
    queryFn: () => unwrap(api.GET("/api/v1/channels", { params: { query: { limit: 100 } } })),
  });
}

export function useConnect() {
  return useMutation({ mutationFn: (input: ConnectInput) => unwrap(api.POST("/api/v1/channels/connect", { body: input })) });
}

/** Polls a connect flow until it is completed or failed. */
export function useConnection(id: string | undefined) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: ["channels", "connection", id] as const,
    enabled: Boolean(id),
    queryFn: async () => {
      const connection = await unwrap(api.GET("/api/v1/channels/connections/{connection_id}", { params: { path: { connection_id: id ?? "" } } }));
      if (connection.status === "completed") void queryClient.invalidateQueries({ queryKey: ["channels"], exact: false, predicate: (q) => q.queryKey[1] !== "connection" });
      return connection;
    },
    refetchInterval: (query) => (query.state.data?.status === "pending" || !query.state.data ? POLL_MS : false),
  });
}

export function useDisconnect() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/api/v1/channels/{channel_id}", { params: { path: { channel_id: id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["channels"] }),
  });
}
