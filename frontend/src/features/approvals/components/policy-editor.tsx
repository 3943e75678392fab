import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ApiErrorMessage } from "@/components/feedback/api-error";
import { REVIEW_KINDS, useSavePolicy, type EffectivePolicy, type PolicyStep } from "../api/approvals";

interface PolicyEditorProps {
  policy: EffectivePolicy;
  clinicId: string | null;
  /** The scope's own stored policy (edited in place), else null (a new one is created). */
  ownPolicyId: string | null;
  onDone: (message: string | null) => void;
}

/** Ordered steps of one category: add, remove, reorder, choose the review and N. */
export function PolicyEditor({ policy, clinicId, ownPolicyId, onDone }: PolicyEditorProps) {
  const { t } = useTranslation();
  const save = useSavePolicy();
  const [steps, setSteps] = useState<PolicyStep[]>(policy.steps.map((step) => ({ ...step })));
  const category = t(`posts.category.${policy.category}`);

  const update = (index: number, change: Partial<PolicyStep>) =>
    setSteps((current) => current.map((step, i) => (i === index ? { ...step, ...change } : step)));
  const move = (index: number, by: -1 | 1) =>
    setSteps((current) => {
      const next = [...current];
      const [step] = next.splice(index, 1);
      next.splice(index + by, 0, step as PolicyStep);
      return next;
    });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(
      { policyId: ownPolicyId, clinicId, category: policy.category, steps },
      { onSuccess: () => onDone(t("approvals.policies.saved", { category })) },
    );
  };

  return (
    <form className="form" onSubmit={submit} aria-label={t("approvals.policies.stepsLabel", { category })}>
      <ol className="policy-steps">
        {steps.map((step, index) => {
          const n = index + 1;
          return (
            <li key={index} className="policy-steps__item">
              <fieldset>
                <legend>{t("approvals.policies.step", { index: n })}</legend>
                <div className="field">
                  <label htmlFor={`${policy.category}-review-${index}`}>{t("approvals.policies.review")}</label>
                  <select
                    id={`${policy.category}-review-${index}`}
                    value={step.review}
                    onChange={(e) => update(index, { review: e.target.value as PolicyStep["review"] })}
                  >
                    {REVIEW_KINDS.map((kind) => (
                      <option key={kind} value={kind}>
                        {t(`approvals.review.${kind}`)}
                      </option>
                    ))}
                  </select>
                </div>
                <div className="field">
                  <label htmlFor={`${policy.category}-n-${index}`}>{t("approvals.policies.required")}</label>
                  <input
                    id={`${policy.category}-n-${index}`}
                    type="number"
                    min={1}
                    max={10}
                    required
                    value={step.required_approvals}
                    onChange={(e) => update(index, { required_approvals: Number(e.target.value) })}
                  />
                </div>
                <div className="form-actions">
                  <button type="button" className="button" disabled={index === 0} onClick={() => move(index, -1)} aria-label={t("approvals.policies.moveUp", { index: n })}>
                    ↑
                  </button>
                  <button
                    type="button"
                    className="button"
                    disabled={index === steps.length - 1}
                    onClick={() => move(index, 1)}
                    aria-label={t("approvals.policies.moveDown", { index: n })}
                  >
                    ↓
                  </button>
                  <button
                    type="button"
                    className="button"
                    disabled={steps.length === 1}
                    onClick={() => setSteps((current) => current.filter((_, i) => i !== index))}
                  >
                    {t("approvals.policies.removeStep", { index: n })}
                  </button>
                </div>
              </fieldset>
            </li>
          );
        })}
      </ol>
      <ApiErrorMessage error={save.error} />
      <div className="form-actions">
        <button type="button" className="button" disabled={steps.length >= 10} onClick={() => setSteps((current) => [...current, { review: "comms", required_approvals: 1 }])}>
          {t("approvals.policies.addStep")}
        </button>
        <button type="submit" className="button button--primary" disabled={save.isPending}>
          {t("approvals.policies.save")}
        </button>
        <button type="button" className="button" onClick={() => onDone(null)}>
          {t("approvals.policies.cancel")}
        </button>
      </div>
    </form>
  );
}
