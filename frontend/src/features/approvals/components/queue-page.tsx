import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { Empty } from "@/components/feedback/empty";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { RequirePermission } from "@/components/layout/require-permission";
import { PERMISSIONS } from "@/lib/auth/me";
import { formatDateTime } from "@/lib/format";
import { useApprovalQueue, type QueueItem } from "../api/approvals";
import { waitingDuration } from "../utils/waiting";

/** /freigaben: posts waiting for the caller's decision, longest waiting first. */
export function QueuePage() {
  return (
    <RequirePermission permission={PERMISSIONS.postsRead}>
      <Queue />
    </RequirePermission>
  );
}

function Queue() {
  const { t } = useTranslation();
  const queue = useApprovalQueue();
  const items = queue.data?.pages.flatMap((page) => page.items) ?? [];
  const total = queue.data?.pages[0]?.total ?? 0;
  return (
    <div className="page">
      <h1>{t("approvals.queue.title")}</h1>
      <p className="lead">{t("approvals.queue.intro")}</p>
      {queue.isPending ? (
        <Loading />
      ) : queue.isError ? (
        <ErrorState error={queue.error} onRetry={() => void queue.refetch()} />
      ) : items.length === 0 ? (
        <Empty message={t("approvals.queue.empty")} />
      ) : (
        <>
          <p aria-live="polite">{t("approvals.queue.count", { count: total })}</p>
          <ul className="queue">
            {items.map((item) => (
              <QueueRow key={item.request_id} item={item} />
            ))}
          </ul>
          {queue.hasNextPage ? (
            <button type="button" className="button" disabled={queue.isFetchingNextPage} onClick={() => void queue.fetchNextPage()}>
              {t("approvals.queue.more")}
            </button>
          ) : null}
        </>
      )}
    </div>
  );
}

function QueueRow({ item }: { item: QueueItem }) {
  const { t } = useTranslation();
  const waited = waitingDuration(item.waiting_since);
  return (
    <li className="card queue__item">
      <h2 className="queue__title">
        <Link to="/freigaben/$postId" params={{ postId: item.post_id }}>
          {item.title}
        </Link>
      </h2>
      <p>
        {item.clinic_name} · {t(`posts.category.${item.category}`)} · {t("approvals.queue.version", { version: item.content_version })}
      </p>
      <p>{t("approvals.queue.step", { step: item.step + 1, total: item.steps_total, review: t(`approvals.review.${item.review}`) })}</p>
      <p className="muted">
        <time dateTime={item.waiting_since} title={formatDateTime(item.waiting_since)}>
          {t("approvals.queue.waiting", { duration: t(`approvals.duration.${waited.key}`, { count: waited.count }) })}
        </time>
      </p>
    </li>
  );
}
