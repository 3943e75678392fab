import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Empty } from "@/components/feedback/empty";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { RequirePermission } from "@/components/layout/require-permission";
import { SelectField } from "@/components/ui/field";
import type { PostFilters, PostStatus } from "@/lib/api/types";
import { clinicsWith, hasPermission, PERMISSIONS, useMe } from "@/lib/auth/me";
import { formatLocal } from "@/lib/format";
import { usePosts } from "../api/posts";
import { PostStatusBadge } from "./status-badge";

const STATUSES: PostStatus[] = ["draft", "in_review", "changes_requested", "approved", "scheduled", "published", "paused", "failed", "rejected", "cancelled"];

export function PostsPage() {
  return (
    <RequirePermission permission={PERMISSIONS.postsRead}>
      <PostsView />
    </RequirePermission>
  );
}

function PostsView() {
  const { t } = useTranslation();
  const me = useMe();
  const clinics = clinicsWith(me.data, PERMISSIONS.postsRead);
  const clinicName = new Map(clinics.map((clinic) => [clinic.clinic_id, clinic.clinic_name]));
  const [status, setStatus] = useState<PostStatus | "">("");
  const [clinic, setClinic] = useState("");
  const filters: PostFilters = { ...(status ? { status: [status] } : {}), ...(clinic ? { clinic } : {}) };
  const posts = usePosts(filters);
  const items = posts.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = Boolean(status || clinic);

  return (
    <div className="page">
      <div className="page__header">
        <h1>{t("posts.title")}</h1>
        {hasPermission(me.data, PERMISSIONS.postsWrite) ? (
          <Link to="/beitraege/neu" className="button button--primary">
            {t("posts.new")}
          </Link>
        ) : null}
      </div>
      <div className="filters" role="search">
        <SelectField label={t("posts.statusFilter")} value={status} onChange={(e) => setStatus(e.target.value as PostStatus | "")}>
          <option value="">{t("posts.allStatuses")}</option>
          {STATUSES.map((value) => (
            <option key={value} value={value}>
              {t(`posts.status.${value}`)}
            </option>
          ))}
        </SelectField>
        {clinics.length > 1 ? (
          <SelectField label={t("posts.clinicFilter")} value={clinic} onChange={(e) => setClinic(e.target.value)}>
            <option value="">{t("posts.allClinics")}</option>
            {clinics.map((item) => (
              <option key={item.clinic_id} value={item.clinic_id}>
                {item.clinic_name}
              </option>
            ))}
          </SelectField>
        ) : null}
      </div>

      {posts.isPending ? (
        <Loading />
      ) : posts.isError ? (
        <ErrorState error={posts.error} onRetry={() => void posts.refetch()} />
      ) : items.length === 0 ? (
        <Empty message={t(filtered ? "posts.emptyFiltered" : "posts.empty")} />
      ) : (
        <>
          <table className="table table--stack">
            <thead>
              <tr>
                <th scope="col">{t("posts.columns.title")}</th>
                <th scope="col">{t("posts.columns.status")}</th>
                <th scope="col">{t("posts.columns.clinic")}</th>
                <th scope="col">{t("posts.columns.scheduled")}</th>
                <th scope="col">{t("posts.columns.channels")}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((post) => (
                <tr key={post.id}>
                  <td data-label={t("posts.columns.title")}>
                    <Link to="/beitraege/$postId" params={{ postId: post.id }}>
                      {post.title}
                    </Link>
                  </td>
                  <td data-label={t("posts.columns.status")}>
                    <PostStatusBadge status={post.status} />
                  </td>
                  <td data-label={t("posts.columns.clinic")}>{clinicName.get(post.clinic_id) ?? "–"}</td>
                  <td data-label={t("posts.columns.scheduled")}>
                    {post.scheduled_local ? formatLocal(post.scheduled_local) : <span className="muted">{t("posts.notScheduled")}</span>}
                  </td>
                  <td data-label={t("posts.columns.channels")}>
                    {post.variants.length > 0 ? post.variants.map((variant) => variant.channel_name).join(", ") : t("posts.noChannels")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {posts.hasNextPage ? (
            <button
              type="button"
              className="button load-more"
              disabled={posts.isFetchingNextPage}
              aria-busy={posts.isFetchingNextPage}
              onClick={() => void posts.fetchNextPage()}
            >
              {posts.isFetchingNextPage ? t("feedback.loadingMore") : t("feedback.loadMore")}
            </button>
          ) : null}
        </>
      )}
    </div>
  );
}
