import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { RequirePermission } from "@/components/layout/require-permission";
import type { Consent } from "@/lib/api/types";
import { PERMISSIONS, useMe } from "@/lib/auth/me";
import { formatDateTime } from "@/lib/format";
import { useConsent } from "../api/consents";
import { ConsentStateBadge, useValidity } from "./consent-state-badge";
import { DocumentSection } from "./document-section";
import { LinkedPosts } from "./linked-posts";
import { WithdrawDialog } from "./withdraw-dialog";

/** /einwilligungen/$consentId: the record, its document, the linked posts and their takedown. */
export function ConsentDetailPage({ consentId }: { consentId: string }) {
  return (
    <RequirePermission permission={PERMISSIONS.consentsManage}>
      <ConsentDetail consentId={consentId} />
    </RequirePermission>
  );
}

function ConsentDetail({ consentId }: { consentId: string }) {
  const { t } = useTranslation();
  const consent = useConsent(consentId);
  const [withdrawing, setWithdrawing] = useState(false);
  return (
    <div className="page">
      <Link to="/einwilligungen" className="back-link">
        {t("consents.back")}
      </Link>
      {consent.isPending ? (
        <Loading />
      ) : consent.isError ? (
        <ErrorState error={consent.error} onRetry={() => void consent.refetch()} />
      ) : (
        <>
          <div className="page__header">
            <h1>{consent.data.subject_label}</h1>
            <ConsentStateBadge state={consent.data.status} />
          </div>
          {consent.data.ended_at === null ? (
            <div className="form-actions">
              <Link to="/einwilligungen/$consentId/bearbeiten" params={{ consentId }} className="button">
                {t("consents.edit")}
              </Link>
              <button type="button" className="button button--danger" onClick={() => setWithdrawing(true)}>
                {t("consents.withdraw.button")}
              </button>
            </div>
          ) : null}
          <Facts consent={consent.data} />
          <DocumentSection consent={consent.data} />
          <LinkedPosts consent={consent.data} />
          <WithdrawDialog consentId={consentId} open={withdrawing} onClose={() => setWithdrawing(false)} />
        </>
      )}
    </div>
  );
}

function Facts({ consent }: { consent: Consent }) {
  const { t } = useTranslation();
  const me = useMe();
  const validity = useValidity();
  const clinic = me.data?.clinics.find((item) => item.clinic_id === consent.clinic_id)?.clinic_name ?? "–";
  return (
    <section className="card" aria-labelledby="consent-facts">
      <h2 id="consent-facts">{t("consents.detail.facts")}</h2>
      <dl className="facts">
        <dt>{t("consents.form.clinic")}</dt>
        <dd>{clinic}</dd>
        <dt>{t("consents.form.kind")}</dt>
        <dd>{t(`consents.kind.${consent.subject_kind}`)}</dd>
        <dt>{t("consents.form.basis")}</dt>
        <dd>{t(`consents.basis.${consent.legal_basis}`)}</dd>
        <dt>{t("consents.columns.validity")}</dt>
        <dd>{validity(consent.valid_from, consent.valid_until)}</dd>
        <dt>{t("consents.form.categories")}</dt>
        <dd>{consent.categories.map((category) => t(`posts.category.${category}`)).join(", ") || "–"}</dd>
        <dt>{t("consents.form.reference")}</dt>
        <dd>{consent.document_reference ?? "–"}</dd>
        <dt>{t("consents.form.signer")}</dt>
        <dd>{consent.signer ?? "–"}</dd>
        {consent.withdrawn_at ? (
          <>
            <dt>{t("consents.detail.withdrawnAt")}</dt>
            <dd>{formatDateTime(consent.withdrawn_at)}</dd>
            <dt>{t("consents.detail.reason")}</dt>
            <dd>{consent.withdrawal_reason ?? "–"}</dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}
