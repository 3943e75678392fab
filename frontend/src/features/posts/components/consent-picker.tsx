import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiErrorMessage } from "@/components/feedback/api-error";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { useToast } from "@/components/ui/toaster";
import type { Post, PostStatus } from "@/lib/api/types";
import { hasClinicPermission, PERMISSIONS, useMe } from "@/lib/auth/me";
import { useConsentSummaries, useSetConsents } from "../api/posts";

const EDITABLE: PostStatus[] = ["draft", "in_review", "changes_requested", "approved", "scheduled", "paused", "failed"];

/** The consents a post relies on; editors link valid ones of its clinic. */
export function ConsentPicker({ post }: { post: Post }) {
  const { t } = useTranslation();
  const toast = useToast();
  const me = useMe();
  const canEdit = hasClinicPermission(me.data, post.clinic_id, PERMISSIONS.postsWrite) && EDITABLE.includes(post.status);
  const summaries = useConsentSummaries(post.clinic_id, canEdit);
  const save = useSetConsents(post.id);
  const [chosen, setChosen] = useState<string[]>(post.consent_ids ?? []);
  const linked = post.consent_ids ?? [];
  const options = (summaries.data?.items ?? []).filter((c) => ["valid", "expiring", "upcoming"].includes(c.status) || linked.includes(c.id));
  const label = (id: string) => summaries.data?.items.find((c) => c.id === id)?.subject_label ?? id.slice(0, 8);
  const changed = chosen.length !== linked.length || chosen.some((id) => !linked.includes(id));

  return (
    <section className="card" aria-labelledby="post-consents">
      <h2 id="post-consents">{t("posts.consents.heading")}</h2>
      {!canEdit ? (
        <p className={linked.length ? undefined : "muted"}>{linked.length ? t("posts.consents.linked", { count: linked.length }) : t("posts.consents.none")}</p>
      ) : summaries.isPending ? (
        <Loading />
      ) : summaries.isError ? (
        <ErrorState error={summaries.error} onRetry={() => void summaries.refetch()} />
      ) : options.length === 0 ? (
        <p className="muted">{t("posts.consents.empty")}</p>
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            save.mutate(chosen, { onSuccess: () => toast.show(t("posts.consents.saved")) });
          }}
        >
          <fieldset className="fieldset">
            <legend>{t("posts.consents.pick")}</legend>
            <p className="field__hint">{t("posts.consents.hint")}</p>
            {options.map((consent) => (
              <label key={consent.id} className="check">
                <input
                  type="checkbox"
                  checked={chosen.includes(consent.id)}
                  onChange={() => setChosen(chosen.includes(consent.id) ? chosen.filter((id) => id !== consent.id) : [...chosen, consent.id])}
                />
                {label(consent.id)} <span className="muted">({t(`consents.state.${consent.status}`)})</span>
              </label>
            ))}
          </fieldset>
          <ApiErrorMessage error={save.error} />
          <div className="form-actions">
            <button type="submit" className="button" disabled={save.isPending || !changed}>
              {save.isPending ? t("feedback.saving") : t("posts.consents.save")}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
