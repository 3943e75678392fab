import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Empty } from "@/components/feedback/empty";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog } from "@/components/ui/dialog";
import { FormError, TextField } from "@/components/ui/field";
import { useToast } from "@/components/ui/toaster";
import { fieldErrors, hasFieldErrors } from "@/lib/api/problem";
import type { Region } from "@/lib/api/types";
import { useRegions, useSaveRegion } from "../api/sites";

export function RegionsSection() {
  const { t } = useTranslation();
  const toast = useToast();
  const regions = useRegions();
  const save = useSaveRegion();
  const [editing, setEditing] = useState<Region | "new" | null>(null);
  const [deactivating, setDeactivating] = useState<Region | null>(null);
  const items = regions.data?.pages.flatMap((page) => page.items) ?? [];

  const setActive = (region: Region, isActive: boolean) =>
    save.mutate(
      { id: region.id, input: { is_active: isActive } },
      {
        onSuccess: () => {
          setDeactivating(null);
          toast.show(t("sites.saved", { name: region.name }));
        },
        onError: (error) => toast.show(error.message, "error"),
      },
    );

  return (
    <section className="card" aria-labelledby="sites-regions">
      <div className="page__header">
        <h2 id="sites-regions">{t("sites.regions")}</h2>
        <button type="button" className="button button--primary" onClick={() => setEditing("new")}>
          {t("sites.newRegion")}
        </button>
      </div>
      {regions.isPending ? (
        <Loading />
      ) : regions.isError ? (
        <ErrorState error={regions.error} onRetry={() => void regions.refetch()} />
      ) : items.length === 0 ? (
        <Empty message={t("sites.emptyRegions")} />
      ) : (
        <ul className="assignment-list">
          {items.map((region) => (
            <li key={region.id} className="assignment">
              <span>
                <strong>{region.name}</strong> · {region.is_active ? t("feedback.active") : t("feedback.inactive")}
              </span>
              <span className="table__actions">
                <button
                  type="button"
                  className="button button--small"
                  aria-label={t("sites.editLabel", { name: region.name })}
                  onClick={() => setEditing(region)}
                >
                  {t("sites.edit")}
                </button>
                <button
                  type="button"
                  className="button button--small"
                  onClick={() => (region.is_active ? setDeactivating(region) : setActive(region, true))}
                >
                  {region.is_active ? t("sites.deactivate") : t("sites.reactivate")}
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
      {regions.hasNextPage ? (
        <button type="button" className="button load-more" disabled={regions.isFetchingNextPage} onClick={() => void regions.fetchNextPage()}>
          {regions.isFetchingNextPage ? t("feedback.loadingMore") : t("feedback.loadMore")}
        </button>
      ) : null}
      <RegionDialog region={editing} onClose={() => setEditing(null)} />
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

function RegionDialog({ region, onClose }: { region: Region | "new" | null; onClose: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const save = useSaveRegion();
  const existing = region !== null && region !== "new" ? region : null;
  const [name, setName] = useState("");
  const { reset } = save;

  useEffect(() => {
    setName(existing?.name ?? "");
    reset();
  }, [existing, region, reset]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(
      { id: existing?.id ?? null, input: { name: name.trim() } },
      {
        onSuccess: () => {
          toast.show(t("sites.saved", { name: name.trim() }));
          onClose();
        },
      },
    );
  };
  const errors = fieldErrors(save.error);

  return (
    <Dialog open={region !== null} title={existing ? t("sites.editRegion") : t("sites.newRegion")} onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <FormError message={save.isError && !hasFieldErrors(save.error) ? save.error.message : null} />
        <TextField label={t("sites.name")} required value={name} error={errors.name} onChange={(e) => setName(e.target.value)} />
        <div className="form-actions">
          <button type="submit" className="button button--primary" disabled={save.isPending}>
            {save.isPending ? t("feedback.saving") : t("feedback.save")}
          </button>
          <button type="button" className="button" onClick={onClose}>
            {t("feedback.cancel")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
