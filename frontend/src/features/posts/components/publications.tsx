import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiErrorMessage } from "@/components/feedback/api-error";
import { Empty } from "@/components/feedback/empty";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { TextField } from "@/components/ui/field";
import { useToast } from "@/components/ui/toaster";
import type { Post, Publication } from "@/lib/api/types";
import { hasClinicPermission, PERMISSIONS, useMe } from "@/lib/auth/me";
import { formatDateTime } from "@/lib/format";
import { zonedLocalToIso } from "@/lib/time";
import { usePublicationAction, usePublications } from "../api/posts";
import { PublicationStatusBadge } from "./status-badge";

/** One row per channel: state, the German error, the live link, and retry/resume. */
export function Publications({ post }: { post: Post }) {
  const { t } = useTranslation();
  const publications = usePublications(post.id);
  const items = publications.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="post-publications">
      <h2 id="post-publications">{t("posts.publications.heading")}</h2>
      {publications.isPending ? (
        <Loading />
      ) : publications.isError ? (
        <ErrorState error={publications.error} onRetry={() => void publications.refetch()} />
      ) : items.length === 0 ? (
        <Empty message={t("posts.publications.empty")} />
      ) : (
        <ul className="publication-list">
          {items.map((publication) => (
            <PublicationItem key={publication.id} post={post} publication={publication} />
          ))}
        </ul>
      )}
    </section>
  );
}

function PublicationItem({ post, publication }: { post: Post; publication: Publication }) {
  const { t } = useTranslation();
  const toast = useToast();
  const me = useMe();
  const act = usePublicationAction();
  const [confirm, setConfirm] = useState(false);
  const [resumeAt, setResumeAt] = useState("");
  const canSchedule = hasClinicPermission(me.data, post.clinic_id, PERMISSIONS.postsSchedule);
  const name = publication.channel_name;

  const retry = () =>
    act.mutate({ id: publication.id, kind: "retry" }, { onSuccess: () => toast.show(t("posts.publications.retried")), onSettled: () => setConfirm(false) });
  const resume = () =>
    act.mutate(
      { id: publication.id, kind: "resume", at: zonedLocalToIso(resumeAt, post.timezone) },
      { onSuccess: () => toast.show(t("posts.publications.resumed")) },
    );

  return (
    <li className="publication">
      <div className="publication__head">
        <strong>
          {name} <span className="muted">({t(`posts.platform.${publication.platform}`)})</span>
        </strong>
        <PublicationStatusBadge status={publication.status} />
      </div>
      <p className="muted">
        {publication.published_at
          ? t("posts.publications.publishedAt", { when: formatDateTime(publication.published_at, post.timezone) })
          : t("posts.publications.due", { when: formatDateTime(publication.due_at, post.timezone) })}
        {publication.attempts > 0 ? ` · ${t("posts.publications.attempts", { count: publication.attempts })}` : null}
      </p>
      {publication.error ? <p className="publication__error">{publication.error}</p> : null}
      {publication.platform_url && /^https?:\/\//.test(publication.platform_url) ? (
        <a href={publication.platform_url} target="_blank" rel="noopener noreferrer" aria-label={t("posts.publications.liveLabel", { channel: name })}>
          {t("posts.publications.live")}
        </a>
      ) : null}
      {canSchedule && (publication.status === "failed" || publication.status === "unconfirmed") ? (
        <div className="form-actions">
          <button
            type="button"
            className="button"
            disabled={act.isPending}
            onClick={() => (publication.status === "unconfirmed" ? setConfirm(true) : retry())}
          >
            {t("posts.publications.retry")}
          </button>
        </div>
      ) : null}
      {canSchedule && publication.status === "paused" ? (
        <form
          className="composer__row"
          onSubmit={(event) => {
            event.preventDefault();
            if (resumeAt) resume();
          }}
        >
          <TextField
            label={t("posts.publications.resumeAt")}
            hint={t("posts.detail.scheduleHint", { zone: post.timezone })}
            type="datetime-local"
            required
            value={resumeAt}
            onChange={(e) => setResumeAt(e.target.value)}
          />
          <button type="submit" className="button" disabled={act.isPending || !resumeAt}>
            {t("posts.publications.resume")}
          </button>
        </form>
      ) : null}
      <ApiErrorMessage error={act.error} />
      <ConfirmDialog
        open={confirm}
        title={t("posts.publications.retry")}
        message={t("posts.publications.confirmRetryUnconfirmed", { channel: name })}
        confirmLabel={t("posts.publications.retry")}
        pending={act.isPending}
        onConfirm={retry}
        onClose={() => setConfirm(false)}
      />
    </li>
  );
}
