import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Post, PostFilters, ScheduleInput } from "@/lib/api/types";

const MAX_PAGES = 10;

/** Every post with a time in [from, to) for the filters (follows the cursor up to 1,000 posts). */
export function useCalendarPosts(filters: PostFilters) {
  return useQuery({
    queryKey: ["posts", "calendar", filters] as const,
    queryFn: async () => {
      const items: Post[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const result = await unwrap(api.GET("/api/v1/posts", { params: { query: { ...filters, limit: 100, ...(cursor ? { cursor } : {}) } } }));
        items.push(...result.items);
        if (!result.next_cursor) break;
        cursor = result.next_cursor;
      }
      return items;
    },
    placeholderData: keepPreviousData,
  });
}

export function useCalendarChannels() {
  return useQuery({
    queryKey: ["channels", "calendar"] as const,
    queryFn: () => unwrap(api.GET("/api/v1/channels", { params: { query: { limit: 100 } } })),
  });
}

export function useReschedule() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: ScheduleInput }) =>
      unwrap(api.POST("/api/v1/posts/{post_id}/schedule", { params: { path: { post_id: id } }, body })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["posts"] }),
  });
}
