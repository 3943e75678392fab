import { Link, useNavigate } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { RequirePermission } from "@/components/layout/require-permission";
import { PERMISSIONS } from "@/lib/auth/me";
import { usePost } from "../api/posts";
import { draftOf } from "../utils/draft";
import { ComposerForm, type ComposerAssist } from "./composer-form";

/** /beitraege/neu and /beitraege/$postId/bearbeiten. */
export function ComposerPage({ postId, assist }: { postId?: string; assist?: ComposerAssist }) {
  return (
    <RequirePermission permission={PERMISSIONS.postsWrite}>
      {postId ? <EditComposer postId={postId} assist={assist} /> : <NewComposer assist={assist} />}
    </RequirePermission>
  );
}

function NewComposer({ assist }: { assist?: ComposerAssist | undefined }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <div className="page">
      <Link to="/beitraege" className="back-link">
        {t("posts.back")}
      </Link>
      <h1>{t("posts.composer.titleNew")}</h1>
      <ComposerForm assist={assist} onSaved={(post) => void navigate({ to: "/beitraege/$postId", params: { postId: post.id } })} />
    </div>
  );
}

function EditComposer({ postId, assist }: { postId: string; assist?: ComposerAssist | undefined }) {
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
          assist={assist}
          initial={draftOf(post.data)}
          onSaved={() => void navigate({ to: "/beitraege/$postId", params: { postId } })}
        />
      )}
    </div>
  );
}
