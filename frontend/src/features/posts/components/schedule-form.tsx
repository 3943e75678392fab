import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ApiErrorMessage } from "@/components/feedback/api-error";
import { TextField } from "@/components/ui/field";
import { useToast } from "@/components/ui/toaster";
import { ApiError } from "@/lib/api/problem";
import type { Post } from "@/lib/api/types";
import { formatLocal } from "@/lib/format";
import { useSchedulePost } from "../api/posts";

function errorType(error: unknown): string | undefined {
  return error instanceof ApiError ? error.problem?.errors?.[0]?.type : undefined;
}

/** Date and time in the clinic's zone; the backend's DST messages are shown as they come. */
export function ScheduleForm({ post }: { post: Post }) {
  const { t } = useTranslation();
  const toast = useToast();
  const schedule = useSchedulePost();
  const [date, setDate] = useState(post.scheduled_local?.slice(0, 10) ?? "");
  const [time, setTime] = useState(post.scheduled_local?.slice(11, 16) ?? "");
  const [fold, setFold] = useState<0 | 1 | null>(null);
  const ambiguous = errorType(schedule.error) === "ambiguous_time" || fold !== null;
  const label = post.status === "scheduled" ? t("posts.detail.reschedule") : t("posts.detail.schedule");

  const change = (setter: (value: string) => void) => (value: string) => {
    setter(value);
    setFold(null);
    schedule.reset();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!date || !time) return;
    schedule.mutate(
      { id: post.id, body: { scheduled_local: `${date}T${time}`, ...(fold !== null ? { fold } : {}) } },
      {
        onSuccess: (result) => {
          setFold(null);
          toast.show(t("posts.detail.scheduled_ok", { when: result.scheduled_local ? formatLocal(result.scheduled_local) : "" }));
        },
      },
    );
  };

  return (
    <form className="form form--inline" onSubmit={submit} aria-labelledby="schedule-heading">
      <h3 id="schedule-heading">{t("posts.detail.scheduleHeading")}</h3>
      <p className="field__hint">{t("posts.detail.scheduleHint", { zone: post.timezone })}</p>
      <div className="composer__row">
        <TextField label={t("posts.detail.date")} type="date" required value={date} onChange={(e) => change(setDate)(e.target.value)} />
        <TextField label={t("posts.detail.time")} type="time" required value={time} onChange={(e) => change(setTime)(e.target.value)} />
      </div>
      <ApiErrorMessage error={schedule.error} />
      {ambiguous ? (
        <fieldset className="fieldset">
          <legend>{t("posts.detail.foldLegend")}</legend>
          <label className="check">
            <input type="radio" name="fold" checked={fold === 0} onChange={() => setFold(0)} />
            {t("posts.detail.foldFirst")}
          </label>
          <label className="check">
            <input type="radio" name="fold" checked={fold === 1} onChange={() => setFold(1)} />
            {t("posts.detail.foldSecond")}
          </label>
        </fieldset>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="button button--primary" disabled={schedule.isPending || !date || !time || (ambiguous && fold === null)}>
          {schedule.isPending ? t("feedback.saving") : label}
        </button>
      </div>
    </form>
  );
}
