import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiErrorMessage } from "@/components/feedback/api-error";
import { Empty } from "@/components/feedback/empty";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useToast } from "@/components/ui/toaster";
import type { Crisis } from "@/lib/api/types";
import { hasPermission, PERMISSIONS, useMe } from "@/lib/auth/me";
import { formatDateTime } from "@/lib/format";
import { useCrises, useEndCrisis, usePausedPublications } from "../api/crisis";
import { useCrisisScopeLabel } from "../utils/scope-label";
import { DarkSitePanel } from "./dark-site-panel";
import { PausedItem } from "./paused-item";

/** /krisenmodus: active crises (end them), the dark-site statements, and the paused publications to review one by one. */
export function CrisisPage() {
  const { t } = useTranslation();
  const toast = useToast();
  const me = useMe();
  const crises = useCrises();
  const end = useEndCrisis();
  const scopeLabel = useCrisisScopeLabel();
  const canRead = hasPermission(me.data, PERMISSIONS.postsRead);
  const paused = usePausedPublications(canRead);
  const [ending, setEnding] = useState<Crisis | null>(null);
  const active = (crises.data?.items ?? []).filter((crisis) => crisis.active);

  return (
    <div className="page">
      <h1>{t("crisis.title")}</h1>
      <section className="card" aria-labelledby="crisis-active">
        <h2 id="crisis-active">{t("crisis.active")}</h2>
        {crises.isPending ? (
          <Loading />
        ) : crises.isError ? (
          <ErrorState error={crises.error} onRetry={() => void crises.refetch()} />
        ) : active.length === 0 ? (
          <Empty message={t("crisis.none")} />
        ) : (
          <ul className="publication-list">
            {active.map((crisis) => (
              <li key={crisis.id} className="publication">
                <strong>{scopeLabel(crisis)}</strong>
                <p>{crisis.reason}</p>
                <p className="muted">{t("crisis.since", { when: formatDateTime(crisis.started_at) })}</p>
                {hasPermission(me.data, PERMISSIONS.crisisManage) ? (
                  <div className="form-actions">
                    <button type="button" className="button" aria-label={t("crisis.endLabel", { scope: scopeLabel(crisis) })} onClick={() => setEnding(crisis)}>
                      {t("crisis.end")}
                    </button>
                  </div>
                ) : null}
              </li>
            ))}
          </ul>
        )}
        <ApiErrorMessage error={end.error} />
      </section>
      {canRead ? (
        <section className="card" aria-labelledby="crisis-dark-site">
          <h2 id="crisis-dark-site">{t("crisis.darkSite.title")}</h2>
          <DarkSitePanel />
        </section>
      ) : null}
      {canRead ? (
        <section className="card" aria-labelledby="crisis-paused">
          <h2 id="crisis-paused">{t("crisis.paused")}</h2>
          {paused.isPending ? (
            <Loading />
          ) : paused.isError ? (
            <ErrorState error={paused.error} onRetry={() => void paused.refetch()} />
          ) : paused.data.items.length === 0 ? (
            <Empty message={t("crisis.pausedEmpty")} />
          ) : (
            <ul className="publication-list">
              {paused.data.items.map((publication) => (
                <PausedItem key={publication.id} publication={publication} />
              ))}
            </ul>
          )}
        </section>
      ) : null}
      <ConfirmDialog
        open={ending !== null}
        title={t("crisis.end")}
        message={t("crisis.confirmEnd", { scope: ending ? scopeLabel(ending) : "" })}
        confirmLabel={t("crisis.end")}
        pending={end.isPending}
        onConfirm={() => ending && end.mutate(ending.id, { onSuccess: () => toast.show(t("crisis.ended")), onSettled: () => setEnding(null) })}
        onClose={() => setEnding(null)}
      />
    </div>
  );
}
