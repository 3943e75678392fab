import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Empty } from "@/components/feedback/empty";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { RequirePermission } from "@/components/layout/require-permission";
import { ApiErrorMessage } from "@/components/feedback/api-error";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { SelectField } from "@/components/ui/field";
import { useToast } from "@/components/ui/toaster";
import { clinicsWith, useMe } from "@/lib/auth/me";
import { useDeletePolicy, useEffectivePolicies, type EffectivePolicy } from "../api/approvals";
import { PolicyEditor } from "./policy-editor";

const MANAGE = "policies.manage" as const;

/** /einstellungen/freigaberegeln: the effective steps per category for a scope, editable. */
export function PoliciesPage() {
  return (
    <RequirePermission permission={MANAGE}>
      <Policies />
    </RequirePermission>
  );
}

function Policies() {
  const { t } = useTranslation();
  const me = useMe();
  const orgLevel = me.data?.organization_permissions.includes(MANAGE) ?? false;
  const clinics = clinicsWith(me.data, MANAGE);
  const [scope, setScope] = useState<string>(orgLevel ? "" : (clinics[0]?.clinic_id ?? ""));
  const clinicId = scope || null;
  const effective = useEffectivePolicies(clinicId);
  return (
    <div className="page">
      <h1>{t("approvals.policies.title")}</h1>
      <p className="lead">{t("approvals.policies.intro")}</p>
      <SelectField label={t("approvals.policies.scope")} value={scope} onChange={(e) => setScope(e.target.value)}>
        {orgLevel ? <option value="">{t("approvals.policies.organization")}</option> : null}
        {clinics.map((clinic) => (
          <option key={clinic.clinic_id} value={clinic.clinic_id}>
            {clinic.clinic_name}
          </option>
        ))}
      </SelectField>
      {effective.isPending ? (
        <Loading />
      ) : effective.isError ? (
        <ErrorState error={effective.error} onRetry={() => void effective.refetch()} />
      ) : effective.data.items.length === 0 ? (
        <Empty />
      ) : (
        <ul className="tiles tiles--wide">
          {effective.data.items.map((policy) => (
            <PolicyCard key={`${scope}-${policy.category}`} policy={policy} clinicId={clinicId} />
          ))}
        </ul>
      )}
    </div>
  );
}

function PolicyCard({ policy, clinicId }: { policy: EffectivePolicy; clinicId: string | null }) {
  const { t } = useTranslation();
  const toast = useToast();
  const remove = useDeletePolicy();
  const [editing, setEditing] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const category = t(`posts.category.${policy.category}`);
  const own = policy.source === (clinicId ? "clinic" : "organization") ? policy.policy_id : null;
  const headingId = `policy-${policy.category}`;
  return (
    <li className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{category}</h2>
      <p className="muted">{t(`approvals.policies.source.${policy.source}`)}</p>
      {editing ? (
        <PolicyEditor
          policy={policy}
          clinicId={clinicId}
          ownPolicyId={own}
          onDone={(message) => {
            setEditing(false);
            if (message) toast.show(message);
          }}
        />
      ) : (
        <>
          <ol className="plain-list">
            {policy.steps.map((step, index) => (
              <li key={index}>
                {t(`approvals.review.${step.review}`)} – {t("approvals.policies.needs", { count: step.required_approvals })}
              </li>
            ))}
          </ol>
          <div className="form-actions">
            <button type="button" className="button" onClick={() => setEditing(true)}>
              {own ? t("approvals.policies.edit") : t("approvals.policies.own")}
            </button>
            {own ? (
              <button type="button" className="button" onClick={() => setConfirm(true)}>
                {t("approvals.policies.reset")}
              </button>
            ) : null}
          </div>
          <ApiErrorMessage error={remove.error} />
        </>
      )}
      <ConfirmDialog
        open={confirm}
        title={t("approvals.policies.reset")}
        message={t("approvals.policies.confirmReset", { category })}
        confirmLabel={t("approvals.policies.reset")}
        pending={remove.isPending}
        onConfirm={() =>
          own &&
          remove.mutate(own, {
            onSuccess: () => {
              setConfirm(false);
              toast.show(t("approvals.policies.deleted", { category }));
            },
            onError: () => setConfirm(false),
          })
        }
        onClose={() => setConfirm(false)}
      />
    </li>
  );
}
