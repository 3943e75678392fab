import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Empty } from "@/components/feedback/empty";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useToast } from "@/components/ui/toaster";
import type { Clinic } from "@/lib/api/types";
import { useClinics, useRegions, useSaveClinic } from "../api/sites";
import { ClinicDialog } from "./clinic-dialog";

export function ClinicsSection() {
  const { t } = useTranslation();
  const toast = useToast();
  const clinics = useClinics();
  const regions = useRegions();
  const save = useSaveClinic();
  const [editing, setEditing] = useState<Clinic | "new" | null>(null);
  const [deactivating, setDeactivating] = useState<Clinic | null>(null);
  const items = clinics.data?.pages.flatMap((page) => page.items) ?? [];
  const regionName = new Map((regions.data?.pages.flatMap((page) => page.items) ?? []).map((r) => [r.id, r.name]));

  const setActive = (clinic: Clinic, isActive: boolean) =>
    save.mutate(
      { id: clinic.id, input: { is_active: isActive } },
      {
        onSuccess: () => {
          setDeactivating(null);
          toast.show(t("sites.saved", { name: clinic.name }));
        },
        onError: (error) => toast.show(error.message, "error"),
      },
    );

  return (
    <section className="card" aria-labelledby="sites-clinics">
      <div className="page__header">
        <h2 id="sites-clinics">{t("sites.clinics")}</h2>
        <button type="button" className="button button--primary" onClick={() => setEditing("new")}>
          {t("sites.newClinic")}
        </button>
      </div>
      {clinics.isPending ? (
        <Loading />
      ) : clinics.isError ? (
        <ErrorState error={clinics.error} onRetry={() => void clinics.refetch()} />
      ) : items.length === 0 ? (
        <Empty message={t("sites.emptyClinics")} />
      ) : (
        <table className="table table--stack">
          <thead>
            <tr>
              <th scope="col">{t("sites.name")}</th>
              <th scope="col">{t("sites.region")}</th>
              <th scope="col">{t("sites.timezone")}</th>
              <th scope="col">{t("sites.status")}</th>
              <th scope="col">{t("sites.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((clinic) => (
              <tr key={clinic.id}>
                <td data-label={t("sites.name")}>
                  {clinic.name} <span className="muted">({clinic.slug})</span>
                </td>
                <td data-label={t("sites.region")}>
                  {clinic.region_id ? regionName.get(clinic.region_id) ?? "–" : t("sites.noRegion")}
                </td>
                <td data-label={t("sites.timezone")}>{clinic.timezone}</td>
                <td data-label={t("sites.status")}>{clinic.is_active ? t("feedback.active") : t("feedback.inactive")}</td>
                <td data-label={t("sites.actions")} className="table__actions">
                  <button
                    type="button"
                    className="button button--small"
                    aria-label={t("sites.editLabel", { name: clinic.name })}
                    onClick={() => setEditing(clinic)}
                  >
                    {t("sites.edit")}
                  </button>
                  <button
                    type="button"
                    className="button button--small"
                    onClick={() => (clinic.is_active ? setDeactivating(clinic) : setActive(clinic, true))}
                  >
                    {clinic.is_active ? t("sites.deactivate") : t("sites.reactivate")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {clinics.hasNextPage ? (
        <button type="button" className="button load-more" disabled={clinics.isFetchingNextPage} onClick={() => void clinics.fetchNextPage()}>
          {clinics.isFetchingNextPage ? t("feedback.loadingMore") : t("feedback.loadMore")}
        </button>
      ) : null}
      <ClinicDialog clinic={editing} onClose={() => setEditing(null)} />
      <ConfirmDialog
        open={deactivating !== null}
        title={t("sites.deactivate")}
        message={t("sites.confirmDeactivate", { name: deactivating?.name ?? "" })}
        confirmLabel={t("sites.deactivate")}
        pending={save.isPending}
        onConfirm={() => deactivating && setActive(deactivating, false)}
        onClose={() => setDeactivating(null)}
      />
    </section>
  );
}
