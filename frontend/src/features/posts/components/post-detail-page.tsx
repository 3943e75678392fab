import { Link } from "@tanstack/react-router";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { RequirePermission } from "@/components/layout/require-permission";
import type { Post } from "@/lib/api/types";
import { PERMISSIONS, useMe } from "@/lib/auth/me";
import { formatLocal } from "@/lib/format";
import { usePost } from "../api/posts";
import { ConsentPicker } from "./consent-picker";
import { Thumbnail } from "./media-field";
import { PostActions } from "./post-actions";
import { Publications } from "./publications";
import { PostStatusBadge } from "./status-badge";

/** `findings` renders the post's compliance findings (set by the app). */
export function PostDetailPage({ postId, findings }: { postId: string; findings?: (post: Post) => ReactNode }) {
  return (
    <RequirePermission permission={PERMISSIONS.postsRead}>
      <PostDetail postId={postId} findings={findings} />
    </RequirePermission>
  );
}

function PostDetail({ postId, findings }: { postId: string; findings?: ((post: Post) => ReactNode) | undefined }) {
  const { t } = useTranslation();
  const post = usePost(postId);
  return (
    <div className="page">
      <Link to="/beitraege" className="back-link">
        {t("posts.back")}
      </Link>
      {post.isPending ? (
        <Loading />
      ) : post.isError ? (
        <ErrorState error={post.error} onRetry={() => void post.refetch()} />
      ) : (
        <>
          <div className="page__header">
            <h1>{post.data.title}</h1>
            <PostStatusBadge status={post.data.status} />
          </div>
          <PostFacts post={post.data} />
          {findings?.(post.data)}
          <ConsentPicker key={(post.data.consent_ids ?? []).join()} post={post.data} />
          <PostActions post={post.data} />
          <Publications post={post.data} />
        </>
      )}
    </div>
  );
}

function PostFacts({ post }: { post: Post }) {
  const { t } = useTranslation();
  const me = useMe();
  const clinic = me.data?.clinics.find((item) => item.clinic_id === post.clinic_id)?.clinic_name ?? "–";
  return (
    <section className="card" aria-labelledby="post-facts">
      <h2 id="post-facts">{t("posts.detail.facts")}</h2>
      <dl className="facts">
        <dt>{t("posts.detail.clinic")}</dt>
        <dd>{clinic}</dd>
        <dt>{t("posts.detail.category")}</dt>
        <dd>{t(`posts.category.${post.category}`)}</dd>
        <dt>{t("posts.detail.language")}</dt>
        <dd>{post.language}</dd>
        <dt>{t("posts.detail.scheduled")}</dt>
        <dd>
          {post.scheduled_local ? formatLocal(post.scheduled_local) : t("posts.notScheduled")}{" "}
          <span className="muted">({t("posts.detail.timezone", { zone: post.timezone })})</span>
        </dd>
        {post.tagged_link ? (
          <>
            <dt>{t("posts.detail.link")}</dt>
            <dd className="break">{post.tagged_link}</dd>
          </>
        ) : null}
        <dt>{t("posts.detail.channels")}</dt>
        <dd>
          {post.variants.length === 0
            ? t("posts.noChannels")
            : post.variants
                .map((variant) => `${variant.channel_name} (${t(`posts.platform.${variant.platform}`)})${variant.text_override !== null ? ` – ${t("posts.detail.ownText")}` : ""}`)
                .join(", ")}
        </dd>
      </dl>
      {post.status === "approved" && !post.approval_current ? <p className="notice">{t("posts.detail.approvalOutdated")}</p> : null}
      <h3>{t("posts.detail.text")}</h3>
      <p className="preview__text">{post.base_text}</p>
      <h3>{t("posts.media.heading")}</h3>
      {post.media.length === 0 ? (
        <p className="muted">{t("posts.media.none")}</p>
      ) : (
        <ol className="media-list">
          {[...post.media]
            .sort((a, b) => a.position - b.position)
            .map((item) => (
              <li key={item.media_id} className="media-item">
                <Thumbnail mediaId={item.media_id} alt={item.alt_text} />
                <p className="media-item__body">{t("posts.media.alt", { text: item.alt_text || "–" })}</p>
              </li>
            ))}
        </ol>
      )}
    </section>
  );
}
