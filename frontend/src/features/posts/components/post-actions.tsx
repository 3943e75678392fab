import { Link, useNavigate } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ApiErrorMessage } from "@/components/feedback/api-error";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { TextAreaField } from "@/components/ui/field";
import { useToast } from "@/components/ui/toaster";
import type { Post, PostStatus } from "@/lib/api/types";
import { hasClinicPermission, PERMISSIONS, useMe } from "@/lib/auth/me";
import { usePostAction, useReviewDecision } from "../api/posts";
import { ScheduleForm } from "./schedule-form";

const EDITABLE: PostStatus[] = ["draft", "in_review", "changes_requested", "approved", "scheduled", "paused", "failed"];
const SCHEDULABLE: PostStatus[] = ["approved", "scheduled", "paused", "failed"];
const FINAL: PostStatus[] = ["published", "rejected", "cancelled"];
type Decision = "request-changes" | "reject";

/** The actions this user may take on the post, by permission for its clinic and by status. */
export function PostActions({ post }: { post: Post }) {
  const { t } = useTranslation();
  const toast = useToast();
  const navigate = useNavigate();
  const me = useMe();
  const action = usePostAction(post.id);
  const review = useReviewDecision(post.id);
  const [decision, setDecision] = useState<Decision | null>(null);
  const [comment, setComment] = useState("");
  const [confirmCancel, setConfirmCancel] = useState(false);
  const can = (permission: (typeof PERMISSIONS)[keyof typeof PERMISSIONS]) => hasClinicPermission(me.data, post.clinic_id, permission);
  const canWrite = can(PERMISSIONS.postsWrite);
  const canReview = can(PERMISSIONS.reviewComms);
  const canSchedule = can(PERMISSIONS.postsSchedule);

  const run = (kind: "submit" | "approve" | "cancel" | "duplicate", done: string) => {
    review.reset();
    action.mutate(kind, {
      onSuccess: (result) => {
        toast.show(done);
        setConfirmCancel(false);
        if (kind === "duplicate") void navigate({ to: "/beitraege/$postId", params: { postId: result.id } });
      },
      onError: () => setConfirmCancel(false),
    });
  };
  const decide = (event: FormEvent) => {
    event.preventDefault();
    if (!decision || !comment.trim()) return;
    action.reset();
    review.mutate(
      { decision, comment: comment.trim() },
      {
        onSuccess: () => {
          toast.show(t(decision === "reject" ? "posts.detail.rejected" : "posts.detail.changesRequested"));
          setDecision(null);
          setComment("");
        },
      },
    );
  };

  const busy = action.isPending || review.isPending;
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
      <button key="approve" type="button" className="button button--primary" disabled={busy} onClick={() => run("approve", t("posts.detail.approved"))}>
        {t("posts.detail.approve")}
      </button>
    ) : null,
    canReview && post.status === "in_review" ? (
      <button key="changes" type="button" className="button" aria-expanded={decision === "request-changes"} onClick={() => setDecision("request-changes")}>
        {t("posts.detail.requestChanges")}
      </button>
    ) : null,
    canReview && post.status === "in_review" ? (
      <button key="reject" type="button" className="button" aria-expanded={decision === "reject"} onClick={() => setDecision("reject")}>
        {t("posts.detail.reject")}
      </button>
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
      <ApiErrorMessage error={action.error ?? review.error} />
      {decision ? (
        <form className="form form--inline" onSubmit={decide}>
          <TextAreaField
            label={t("posts.detail.comment")}
            hint={t("posts.detail.commentHint")}
            rows={3}
            required
            maxLength={2000}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
          />
          <div className="form-actions">
            <button type="submit" className="button button--primary" disabled={busy || !comment.trim()}>
              {t(decision === "reject" ? "posts.detail.reject" : "posts.detail.requestChanges")}
            </button>
            <button type="button" className="button" onClick={() => setDecision(null)}>
              {t("feedback.cancel")}
            </button>
          </div>
        </form>
      ) : null}
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
