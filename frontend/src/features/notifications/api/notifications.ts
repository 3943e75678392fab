import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { ResponseBody } from "@/lib/api/types";

export type Notification = ResponseBody<"/api/v1/notifications", "get">["items"][number];

const notificationsKey = ["notifications"] as const;
export const POLL_MS = 60_000;

/** The signed-in user's unread count; polled every minute for the header bell. */
export function useUnreadCount() {
  return useQuery({
    queryKey: [...notificationsKey, "unread-count"] as const,
    queryFn: () => unwrap(api.GET("/api/v1/notifications/unread-count")),
    refetchInterval: POLL_MS,
  });
}

/** The newest notifications, fetched while the list is open. */
export function useNotifications(enabled: boolean) {
  return useQuery({
    queryKey: [...notificationsKey, "list"] as const,
    queryFn: () => unwrap(api.GET("/api/v1/notifications", { params: { query: { limit: 20 } } })),
    enabled,
  });
}

export function useMarkRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(api.POST("/api/v1/notifications/{notification_id}/read", { params: { path: { notification_id: id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: notificationsKey }),
  });
}

export function useMarkAllRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST("/api/v1/notifications/read-all")),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: notificationsKey }),
  });
}
