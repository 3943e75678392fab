import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { useDebounced } from "@/hooks/use-debounced";
import type { Channel, PreviewInput, TargetCheck } from "@/lib/api/types";
import { usePreview } from "../api/posts";
import { previewInput, type Draft } from "../utils/draft";

/** Live per-channel counters (in each platform's unit), the platforms' issues and a text preview. */
export function PreviewPanel({ draft, channels }: { draft: Draft; channels: Channel[] }) {
  const { t } = useTranslation();
  // Debounce the serialized input: a new object each render must not restart the timer.
  const serialized = useDebounced(JSON.stringify(previewInput(draft)), 400);
  const input = useMemo(() => JSON.parse(serialized) as PreviewInput, [serialized]);
  const preview = usePreview(input, true);
  const names = new Map(channels.map((channel) => [channel.id, channel.display_name]));
  const generic = input.channel_ids?.length === 0;

  return (
    <section className="card preview" aria-labelledby="composer-preview">
      <h2 id="composer-preview">{t("posts.composer.previewHeading")}</h2>
      {generic ? <p className="muted">{t("posts.composer.previewGeneric")}</p> : null}
      {preview.isPending ? (
        <Loading />
      ) : preview.isError && !preview.data ? (
        <ErrorState error={preview.error} title={t("posts.composer.previewError")} onRetry={() => void preview.refetch()} />
      ) : (
        <ul className="preview__list" aria-busy={preview.isFetching}>
          {preview.data?.targets.map((target) => {
            const name = target.channel_id ? names.get(target.channel_id) ?? t(`posts.platform.${target.platform}`) : t(`posts.platform.${target.platform}`);
            const text = target.channel_id ? draft.targets[target.channel_id] ?? draft.baseText : draft.baseText;
            return (
              <TargetPreview
                key={`${target.channel_id ?? ""}-${target.platform}`}
                name={name}
                target={target}
                text={generic ? null : [text, preview.data?.link].filter(Boolean).join("\n\n")}
              />
            );
          })}
        </ul>
      )}
      <p className="visually-hidden" role="status">
        {preview.isFetching && !preview.isPending ? t("posts.composer.previewUpdating") : ""}
      </p>
    </section>
  );
}

function TargetPreview({ name, target, text }: { name: string; target: TargetCheck; text: string | null }) {
  const { t } = useTranslation();
  const over = target.limit !== null && target.length > target.limit;
  const unit = target.unit === "graphemes" ? t("posts.composer.units.graphemes") : t("posts.composer.units.chars");
  return (
    <li className={`preview__target${over ? " preview__target--over" : ""}`} data-testid={`counter-${target.platform}`}>
      <div className="preview__head">
        <strong>{name}</strong>
        {target.limit !== null ? (
          <span
            className={`counter${over ? " counter--over" : ""}`}
            aria-label={t("posts.composer.counterLabel", { target: name, length: target.length, limit: target.limit, unit })}
          >
            {t("posts.composer.counter", { length: target.length, limit: target.limit })}
            {over ? <span className="counter__flag"> – {t("posts.composer.overLimit")}</span> : null}
          </span>
        ) : (
          <span className="counter">{t("posts.composer.counterNoLimit", { length: target.length })}</span>
        )}
      </div>
      {target.issues.length > 0 ? (
        <ul className="preview__issues">
          {target.issues.map((issue) => (
            <li key={`${issue.field}-${issue.code}`} className={issue.blocking ? "issue issue--blocking" : "issue"}>
              {issue.message}
            </li>
          ))}
        </ul>
      ) : null}
      {text ? <p className="preview__text">{text}</p> : null}
    </li>
  );
}
