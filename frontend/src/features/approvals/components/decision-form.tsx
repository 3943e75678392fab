import { useId, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ApiErrorMessage } from "@/components/feedback/api-error";
import { TextAreaField } from "@/components/ui/field";
import { useToast } from "@/components/ui/toaster";
import { useDecide, type Decision, type Review } from "../api/approvals";

const DECISIONS: Decision[] = ["approve", "request_changes", "reject"];

/** Approve, request changes or reject the current step, bound to the version on screen. */
export function DecisionForm({ postId, review }: { postId: string; review: Review }) {
  const { t } = useTranslation();
  const toast = useToast();
  const decide = useDecide(postId);
  const [decision, setDecision] = useState<Decision>("approve");
  const [comment, setComment] = useState("");
  const [missing, setMissing] = useState(false);
  const legendId = useId();
  const needsComment = decision !== "approve";

  if (!review.can_decide || !review.request) {
    const reason = review.cannot_decide_reason ?? "not_in_review";
    return (
      <section className="card" aria-labelledby="review-decide">
        <h2 id="review-decide">{t("approvals.decide.title")}</h2>
        <p>{t(`approvals.decide.reason.${reason}`)}</p>
      </section>
    );
  }
  const requestId = review.request.id;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const text = comment.trim();
    if (needsComment && !text) {
      setMissing(true);
      return;
    }
    decide.mutate(
      { request_id: requestId, decision, comment: text || null },
      {
        onSuccess: () => {
          toast.show(t(`approvals.decide.done.${decision}`));
          setComment("");
          setMissing(false);
        },
      },
    );
  };

  return (
    <section className="card" aria-labelledby="review-decide">
      <h2 id="review-decide">{t("approvals.decide.title")}</h2>
      <form className="form" onSubmit={submit} noValidate>
        <fieldset className="choice" aria-labelledby={legendId}>
          <legend id={legendId}>{t("approvals.decide.choice")}</legend>
          {DECISIONS.map((value) => (
            <label key={value} className="choice__option">
              <input
                type="radio"
                name="decision"
                value={value}
                checked={decision === value}
                onChange={() => {
                  setDecision(value);
                  setMissing(false);
                }}
              />
              {t(`approvals.decide.${value}`)}
            </label>
          ))}
        </fieldset>
        <TextAreaField
          label={t("approvals.decide.comment")}
          hint={t(needsComment ? "approvals.decide.commentRequired" : "approvals.decide.commentOptional")}
          error={missing ? t("approvals.decide.commentMissing") : undefined}
          rows={3}
          required={needsComment}
          maxLength={2000}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
        />
        <ApiErrorMessage error={decide.error} />
        <div className="form-actions">
          <button type="submit" className={`button ${decision === "reject" ? "button--danger" : "button--primary"}`} disabled={decide.isPending}>
            {t(`approvals.decide.${decision}`)}
          </button>
        </div>
      </form>
    </section>
  );
}
