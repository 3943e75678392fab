import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Empty } from "@/components/feedback/empty";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { RequirePermission } from "@/components/layout/require-permission";
import { SelectField } from "@/components/ui/field";
import type { ConsentState } from "@/lib/api/types";
import { PERMISSIONS } from "@/lib/auth/me";
import { useConsents } from "../api/consents";
import { ConsentStateBadge, useValidity } from "./consent-state-badge";

export const STATES: ConsentState[] = ["valid", "expiring", "expired", "withdrawn", "upcoming"];

/** /einwilligungen: the consent records of the caller's clinics (privacy officers, admins). */
export function ConsentsPage() {
  return (
    <RequirePermission permission={PERMISSIONS.consentsManage}>
      <ConsentList />
    </RequirePermission>
  );
}

function ConsentList() {
  const { t } = useTranslation();
  const [state, setState] = useState<ConsentState | "">("");
  const consents = useConsents(state || null);
  const validity = useValidity();
  const items = consents.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <div className="page">
      <div className="page__header">
        <h1>{t("consents.title")}</h1>
        <Link to="/einwilligungen/neu" className="button button--primary">
          {t("consents.new")}
        </Link>
      </div>
      <p className="muted">{t("consents.intro")}</p>
      <div className="filters" role="search">
        <SelectField label={t("consents.filter")} value={state} onChange={(e) => setState(e.target.value as ConsentState | "")}>
          <option value="">{t("consents.all")}</option>
          {STATES.map((value) => (
            <option key={value} value={value}>
              {t(`consents.state.${value}`)}
            </option>
          ))}
        </SelectField>
      </div>
      {consents.isPending ? (
        <Loading />
      ) : consents.isError ? (
        <ErrorState error={consents.error} onRetry={() => void consents.refetch()} />
      ) : items.length === 0 ? (
        <Empty message={t("consents.empty")} />
      ) : (
        <>
          <table className="table table--stack">
            <thead>
              <tr>
                <th scope="col">{t("consents.columns.label")}</th>
                <th scope="col">{t("consents.columns.kind")}</th>
                <th scope="col">{t("consents.columns.validity")}</th>
                <th scope="col">{t("consents.columns.status")}</th>
                <th scope="col">{t("consents.columns.posts")}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((consent) => (
                <tr key={consent.id}>
                  <td data-label={t("consents.columns.label")}>
                    <Link to="/einwilligungen/$consentId" params={{ consentId: consent.id }}>
                      {consent.subject_label}
                    </Link>
                  </td>
                  <td data-label={t("consents.columns.kind")}>{t(`consents.kind.${consent.subject_kind}`)}</td>
                  <td data-label={t("consents.columns.validity")}>{validity(consent.valid_from, consent.valid_until)}</td>
                  <td data-label={t("consents.columns.status")}>
                    <ConsentStateBadge state={consent.status} />
                  </td>
                  <td data-label={t("consents.columns.posts")}>{consent.post_count}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {consents.hasNextPage ? (
            <button
              type="button"
              className="button load-more"
              disabled={consents.isFetchingNextPage}
              aria-busy={consents.isFetchingNextPage}
              onClick={() => void consents.fetchNextPage()}
            >
              {consents.isFetchingNextPage ? t("feedback.loadingMore") : t("feedback.loadMore")}
            </button>
          ) : null}
        </>
      )}
    </div>
  );
}
