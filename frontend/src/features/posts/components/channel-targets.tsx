import type { UseQueryResult } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Empty } from "@/components/feedback/empty";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { TextAreaField } from "@/components/ui/field";
import type { Channel } from "@/lib/api/types";
import { channelsFor, type Draft } from "../utils/draft";

interface ChannelTargetsProps {
  draft: Draft;
  channels: UseQueryResult<{ items: Channel[] }>;
  onChange: (targets: Draft["targets"]) => void;
}

/** Checkboxes for the target channels; each chosen one may get its own text. */
export function ChannelTargets({ draft, channels, onChange }: ChannelTargetsProps) {
  const { t } = useTranslation();
  const available = channelsFor(channels.data?.items ?? [], draft.clinicId);

  const toggle = (id: string, on: boolean) => {
    const next = { ...draft.targets };
    if (on) next[id] = null;
    else delete next[id];
    onChange(next);
  };
  const setText = (id: string, text: string | null) => onChange({ ...draft.targets, [id]: text });

  return (
    <fieldset className="fieldset">
      <legend>{t("posts.composer.channels")}</legend>
      <p className="field__hint">{t("posts.composer.channelsHint")}</p>
      {channels.isPending ? (
        <Loading />
      ) : channels.isError ? (
        <ErrorState error={channels.error} onRetry={() => void channels.refetch()} />
      ) : available.length === 0 ? (
        <Empty message={t("posts.composer.noChannels")} />
      ) : (
        <ul className="target-list">
          {available.map((channel) => {
            const chosen = channel.id in draft.targets;
            const own = draft.targets[channel.id];
            const label = `${channel.display_name} (${t(`posts.platform.${channel.platform}`)})`;
            return (
              <li key={channel.id} className="target">
                <label className="check">
                  <input type="checkbox" checked={chosen} onChange={(e) => toggle(channel.id, e.target.checked)} />
                  {label}
                </label>
                {chosen ? (
                  <label className="check check--sub">
                    <input
                      type="checkbox"
                      checked={own !== null && own !== undefined}
                      onChange={(e) => setText(channel.id, e.target.checked ? draft.baseText : null)}
                    />
                    {t("posts.composer.useOwnText", { channel: channel.display_name })}
                  </label>
                ) : null}
                {chosen && own !== null && own !== undefined ? (
                  <TextAreaField
                    label={t("posts.composer.ownText", { channel: channel.display_name })}
                    rows={4}
                    value={own}
                    onChange={(e) => setText(channel.id, e.target.value)}
                  />
                ) : null}
              </li>
            );
          })}
        </ul>
      )}
    </fieldset>
  );
}
