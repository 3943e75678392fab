import { Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiErrorMessage } from "@/components/feedback/api-error";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useToast } from "@/components/ui/toaster";
import type { Post, PostStatus } from "@/lib/api/types";
import { hasClinicPermission, PERMISSIONS, REVIEW_PERMISSIONS, useMe } from "@/lib/auth/me";
import { usePostAction } from "../api/posts";
import { ScheduleForm } from "./schedule-form";

const EDITABLE: PostStatus[] = ["draft", "in_review", "changes_requested", "approved", "scheduled", "paused", "failed"];
const SCHEDULABLE: PostStatus[] = ["approved", "scheduled", "paused", "failed"];
const FINAL: PostStatus[] = ["published", "rejected", "cancelled"];

/** The actions this user may take on the post, by permission for its clinic and by status. */
export function PostActions({ post }: { post: Post }) {
  const { t } = useTranslation();
  const toast = useToast();
  const navigate = useNavigate();
  const me = useMe();
  const action = usePostAction(post.id);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const can = (permission: (typeof PERMISSIONS)[keyof typeof PERMISSIONS]) => hasClinicPermission(me.data, post.clinic_id, permission);
  const canWrite = can(PERMISSIONS.postsWrite);
  const canReview = REVIEW_PERMISSIONS.some(can);
  const canSchedule = can(PERMISSIONS.postsSchedule);

  const run = (kind: "submit" | "cancel" | "duplicate", done: string) => {
    action.mutate(kind, {
      onSuccess: (result) => {
        toast.show(done);
        setConfirmCancel(false);
        if (kind === "duplicate") void navigate({ to: "/beitraege/$postId", params: { postId: result.id } });
      },
      onError: () => setConfirmCancel(false),
    });
  };
  const busy = action.isPending;
  const buttons = [
    canWrite && EDITABLE.includes(post.status) ? (
      <Link key="edit" to="/beitraege/$postId/bearbeiten" params={{ postId: post.id }} className="button">
        {t("posts.detail.edit")}
      </Link>
    ) : null,
    canWrite && (post.status === "draft" || post.status === "changes_requested") ? (
      <button key="submit" type="button" className="button button--primary" disabled={busy} onClick={() => run("submit", t("posts.detail.submitted"))}>
        {t("posts.detail.submit")}
      </button>
    ) : null,
    canReview && post.status === "in_review" ? (
      <Link key="review" to="/freigaben/$postId" params={{ postId: post.id }} className="button button--primary">
        {t("posts.detail.review")}
      </Link>
    ) : null,
    canWrite ? (
      <button key="duplicate" type="button" className="button" disabled={busy} onClick={() => run("duplicate", t("posts.detail.duplicated"))}>
        {t("posts.detail.duplicate")}
      </button>
    ) : null,
    canWrite && !FINAL.includes(post.status) ? (
      <button key="cancel" type="button" className="button" disabled={busy} onClick={() => setConfirmCancel(true)}>
        {t("posts.detail.cancel")}
      </button>
    ) : null,
  ].filter(Boolean);

  if (buttons.length === 0 && !(canSchedule && SCHEDULABLE.includes(post.status))) return null;
  return (
    <section className="card" aria-labelledby="post-actions">
      <h2 id="post-actions">{t("posts.detail.actions")}</h2>
      {buttons.length > 0 ? <div className="form-actions">{buttons}</div> : null}
      <ApiErrorMessage error={action.error} />
      {canSchedule && SCHEDULABLE.includes(post.status) ? <ScheduleForm post={post} /> : null}
      <ConfirmDialog
        open={confirmCancel}
        title={t("posts.detail.cancel")}
        message={t("posts.detail.confirmCancel", { title: post.title })}
        confirmLabel={t("posts.detail.cancel")}
        pending={action.isPending}
        onConfirm={() => run("cancel", t("posts.detail.cancelled"))}
        onClose={() => setConfirmCancel(false)}
      />
    </section>
  );
}
