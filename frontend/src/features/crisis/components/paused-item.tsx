import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiErrorMessage } from "@/components/feedback/api-error";
import { TextField } from "@/components/ui/field";
import { useToast } from "@/components/ui/toaster";
import { ApiError } from "@/lib/api/problem";
import type { PausedPublication } from "@/lib/api/types";
import { hasClinicPermission, PERMISSIONS, useMe } from "@/lib/auth/me";
import { formatLocal } from "@/lib/format";
import { useResumePublication } from "../api/crisis";

function isAmbiguous(error: unknown): boolean {
  return error instanceof ApiError && (error.problem?.errors ?? []).some((item) => item.type === "ambiguous_time");
}

/**
 * One paused publication: due time and new time in the clinic's own time zone. When the chosen
 * time exists twice (autumn clock change) the backend says so and the user picks which one.
 */
export function PausedItem({ publication }: { publication: PausedPublication }) {
  const { t } = useTranslation();
  const toast = useToast();
  const me = useMe();
  const resume = useResumePublication();
  const [at, setAt] = useState("");
  const [fold, setFold] = useState<0 | 1 | null>(null);
  const canResume = hasClinicPermission(me.data, publication.clinic_id, PERMISSIONS.postsSchedule);
  const askFold = fold !== null || isAmbiguous(resume.error);
  const zone = publication.timezone;
  return (
    <li className="publication">
      <div className="publication__head">
        <strong>
          {publication.post_title} – {publication.channel_name} <span className="muted">({t(`posts.platform.${publication.platform}`)})</span>
        </strong>
        <span className={`status status--${publication.status}`}>{t(`posts.publications.status.${publication.status}`)}</span>
      </div>
      <p className="muted">{t("crisis.dueLocal", { when: formatLocal(publication.due_local), zone })}</p>
      <Link to="/beitraege/$postId" params={{ postId: publication.post_id }}>
        {t("crisis.pausedPost")}
      </Link>
      {canResume ? (
        <form
          className="composer__row"
          onSubmit={(event) => {
            event.preventDefault();
            if (!at) return;
            const body = fold === null ? { at_local: at } : { at_local: at, fold };
            resume.mutate({ id: publication.id, body }, { onSuccess: () => toast.show(t("posts.publications.resumed")) });
          }}
        >
          <TextField
            label={t("posts.publications.resumeAt")}
            hint={t("crisis.resumeHint", { zone })}
            type="datetime-local"
            required
            value={at}
            onChange={(e) => {
              setAt(e.target.value);
              setFold(null);
              resume.reset();
            }}
          />
          {askFold ? (
            <fieldset className="field">
              <legend>{t("crisis.fold")}</legend>
              <label className="check">
                <input type="radio" name={`fold-${publication.id}`} checked={fold === 0} onChange={() => setFold(0)} />
                {t("crisis.foldFirst")}
              </label>
              <label className="check">
                <input type="radio" name={`fold-${publication.id}`} checked={fold === 1} onChange={() => setFold(1)} />
                {t("crisis.foldSecond")}
              </label>
            </fieldset>
          ) : null}
          <button type="submit" className="button" disabled={resume.isPending || !at || (askFold && fold === null)}>
            {t("posts.publications.resume")}
          </button>
        </form>
      ) : null}
      <ApiErrorMessage error={resume.error} />
    </li>
  );
}
