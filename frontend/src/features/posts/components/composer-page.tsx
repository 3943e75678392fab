import { Link, useNavigate } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { RequirePermission } from "@/components/layout/require-permission";
import { PERMISSIONS } from "@/lib/auth/me";
import { usePost } from "../api/posts";
import { draftOf } from "../utils/draft";
import { ComposerForm } from "./composer-form";

/** /beitraege/neu and /beitraege/$postId/bearbeiten. */
export function ComposerPage({ postId }: { postId?: string }) {
  return (
    <RequirePermission permission={PERMISSIONS.postsWrite}>
      {postId ? <EditComposer postId={postId} /> : <NewComposer />}
    </RequirePermission>
  );
}

function NewComposer() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <div className="page">
      <Link to="/beitraege" className="back-link">
        {t("posts.back")}
      </Link>
      <h1>{t("posts.composer.titleNew")}</h1>
      <ComposerForm onSaved={(post) => void navigate({ to: "/beitraege/$postId", params: { postId: post.id } })} />
    </div>
  );
}

function EditComposer({ postId }: { postId: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const post = usePost(postId);
  return (
    <div className="page">
      <Link to="/beitraege/$postId" params={{ postId }} className="back-link">
        {t("posts.back")}
      </Link>
      <h1>{t("posts.composer.titleEdit")}</h1>
      {post.isPending ? (
        <Loading />
      ) : post.isError ? (
        <ErrorState error={post.error} onRetry={() => void post.refetch()} />
      ) : (
        <ComposerForm
          postId={postId}
          initial={draftOf(post.data)}
          onSaved={() => void navigate({ to: "/beitraege/$postId", params: { postId } })}
        />
      )}
    </div>
  );
}
