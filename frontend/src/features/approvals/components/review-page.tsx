import { Link } from "@tanstack/react-router";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { RequirePermission } from "@/components/layout/require-permission";
import { PERMISSIONS } from "@/lib/auth/me";
import { useReview, type Review } from "../api/approvals";
import { DecisionForm } from "./decision-form";
import { DiffView } from "./diff-view";
import { ReviewSteps } from "./review-steps";
import { ReviewTexts } from "./review-texts";

type Findings = (post: Review["post"]) => ReactNode;

/** /freigaben/$postId: everything a reviewer needs to decide one post. `findings` renders the
 * post's compliance findings with their overrides (set by the app). */
export function ReviewPage({ postId, findings }: { postId: string; findings?: Findings }) {
  return (
    <RequirePermission permission={PERMISSIONS.postsRead}>
      <ReviewScreen postId={postId} findings={findings} />
    </RequirePermission>
  );
}

function ReviewScreen({ postId, findings }: { postId: string; findings?: Findings | undefined }) {
  const { t } = useTranslation();
  const review = useReview(postId);
  return (
    <div className="page">
      <Link to="/freigaben" className="back-link">
        {t("approvals.detail.back")}
      </Link>
      {review.isPending ? (
        <Loading />
      ) : review.isError ? (
        <ErrorState error={review.error} onRetry={() => void review.refetch()} />
      ) : (
        <>
          <div className="page__header">
            <h1>{review.data.post.title}</h1>
            <span className={`status status--${review.data.post.status}`}>{t(`posts.status.${review.data.post.status}`)}</span>
          </div>
          <p>
            {t(`posts.category.${review.data.post.category}`)} ·{" "}
            <Link to="/beitraege/$postId" params={{ postId }}>
              {t("approvals.detail.post")}
            </Link>
          </p>
          <DecisionForm postId={postId} review={review.data} />
          <DiffView diff={review.data.diff} />
          <ReviewTexts review={review.data} />
          {findings?.(review.data.post)}
          <ReviewSteps review={review.data} />
        </>
      )}
    </div>
  );
}
