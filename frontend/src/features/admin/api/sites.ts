import { infiniteQueryOptions, queryOptions, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { ClinicInput, ClinicUpdateInput, RegionInput, RegionUpdateInput } from "@/lib/api/types";

const PAGE_SIZE = 50;

export const siteKeys = {
  clinics: ["clinics"] as const,
  regions: ["regions"] as const,
  organizations: ["organizations"] as const,
};

export const clinicsQueryOptions = () =>
  infiniteQueryOptions({
    queryKey: [...siteKeys.clinics, "list"] as const,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(api.GET("/api/v1/clinics", { params: { query: { limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });

export const regionsQueryOptions = () =>
  infiniteQueryOptions({
    queryKey: [...siteKeys.regions, "list"] as const,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(api.GET("/api/v1/regions", { params: { query: { limit: PAGE_SIZE, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });

export const organizationsQueryOptions = () =>
  queryOptions({
    queryKey: siteKeys.organizations,
    queryFn: () => unwrap(api.GET("/api/v1/organizations")),
  });

export function useClinics() {
  return useInfiniteQuery(clinicsQueryOptions());
}

export function useRegions() {
  return useInfiniteQuery(regionsQueryOptions());
}

export function useOrganizations() {
  return useQuery(organizationsQueryOptions());
}

export function useSaveClinic() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id: string | null; input: ClinicInput | ClinicUpdateInput }) =>
      id === null
        ? unwrap(api.POST("/api/v1/clinics", { body: input as ClinicInput }))
        : unwrap(api.PATCH("/api/v1/clinics/{clinic_id}", { params: { path: { clinic_id: id } }, body: input })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: siteKeys.clinics }),
  });
}

export function useSaveRegion() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, input }: { id: string | null; input: RegionInput | RegionUpdateInput }) =>
      id === null
        ? unwrap(api.POST("/api/v1/regions", { body: input as RegionInput }))
        : unwrap(api.PATCH("/api/v1/regions/{region_id}", { params: { path: { region_id: id } }, body: input })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: siteKeys.regions }),
  });
}
