import { useTranslation } from "react-i18next";
import { formatDateTime } from "@/lib/format";
import type { Review } from "../api/approvals";

type DecisionRow = NonNullable<Review["request"]>["steps"][number]["decisions"][number];

function Decisions({ decisions }: { decisions: DecisionRow[] }) {
  const { t } = useTranslation();
  if (decisions.length === 0) return <p className="muted">{t("approvals.steps.noDecisions")}</p>;
  return (
    <ul className="plain-list">
      {decisions.map((d) => (
        <li key={d.id}>
          <strong>{d.reviewer_name}</strong> {t(`approvals.steps.decision.${d.decision}`)} ({formatDateTime(d.decided_at)})
          {d.comment ? <blockquote className="comment">{d.comment}</blockquote> : null}
        </li>
      ))}
    </ul>
  );
}

/** The request's steps in order with their state and decisions, who may decide now, and the
 * decisions on earlier versions. */
export function ReviewSteps({ review }: { review: Review }) {
  const { t } = useTranslation();
  const request = review.request;
  if (!request) {
    return (
      <section className="card" aria-labelledby="review-steps">
        <h2 id="review-steps">{t("approvals.steps.title")}</h2>
        <p>{t("approvals.detail.noRequest")}</p>
      </section>
    );
  }
  const names = review.eligible_reviewers.map((r) => r.full_name).join(", ");
  return (
    <section className="card" aria-labelledby="review-steps">
      <h2 id="review-steps">
        {t("approvals.steps.title")} – {t("approvals.queue.version", { version: request.content_version })} ({t(`approvals.steps.status.${request.status}`)})
      </h2>
      <ol className="steps">
        {request.steps.map((step) => (
          <li key={step.index} className={`steps__item steps__item--${step.state}`} aria-current={step.state === "current" ? "step" : undefined}>
            <p>
              <strong>{t(`approvals.review.${step.review}`)}</strong> – {t(`approvals.steps.state.${step.state}`)} ·{" "}
              {t("approvals.steps.approvals", { count: step.approvals, required: step.required_approvals })}
            </p>
            {step.state === "current" ? <p className="muted">{names ? t("approvals.steps.eligible", { names }) : t("approvals.steps.nobody")}</p> : null}
            <Decisions decisions={step.decisions} />
          </li>
        ))}
      </ol>
      {review.history.length > 0 ? (
        <details>
          <summary>{t("approvals.steps.history")}</summary>
          <ul className="plain-list">
            {review.history.map((entry) => (
              <li key={entry.request_id}>
                {t("approvals.steps.historyVersion", { version: entry.content_version, status: t(`approvals.steps.status.${entry.status}`) })}
                <Decisions decisions={entry.decisions} />
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}
