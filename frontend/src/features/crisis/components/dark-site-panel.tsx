import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiErrorMessage } from "@/components/feedback/api-error";
import { Empty } from "@/components/feedback/empty";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useToast } from "@/components/ui/toaster";
import type { HoldingStatement } from "@/lib/api/types";
import { hasClinicPermission, hasPermission, PERMISSIONS, useMe } from "@/lib/auth/me";
import { isInProgress, useHoldingStatements, usePublishHoldingStatements } from "../api/crisis";

/**
 * The dark-site set: holding statements prepared and approved in advance, with their readiness.
 * A comms lead selects ready ones and publishes them at once (after a confirmation); the
 * per-channel results follow as the worker publishes (the list is polled meanwhile).
 */
export function DarkSitePanel() {
  const { t } = useTranslation();
  const toast = useToast();
  const me = useMe();
  const statements = useHoldingStatements(hasPermission(me.data, PERMISSIONS.postsRead));
  const publish = usePublishHoldingStatements();
  const [selected, setSelected] = useState<string[]>([]);
  const [confirming, setConfirming] = useState(false);
  const canManage = hasPermission(me.data, PERMISSIONS.crisisManage);

  if (statements.isPending) return <Loading />;
  if (statements.isError) return <ErrorState error={statements.error} onRetry={() => void statements.refetch()} />;
  const items = statements.data.items;
  const selectable = (item: HoldingStatement) => item.ready && hasClinicPermission(me.data, item.clinic_id, PERMISSIONS.crisisManage);
  const chosen = selected.filter((id) => items.some((item) => item.id === id && selectable(item)));
  const toggle = (id: string, on: boolean) => setSelected((current) => (on ? [...current, id] : current.filter((other) => other !== id)));

  return (
    <div className="dark-site">
      <p>{t("crisis.darkSite.intro")}</p>
      {items.length === 0 ? (
        <Empty message={t("crisis.darkSite.empty")} />
      ) : (
        <ul className="publication-list">
          {items.map((item) => (
            <HoldingItem key={item.id} item={item} selectable={selectable(item)} checked={chosen.includes(item.id)} onToggle={(on) => toggle(item.id, on)} />
          ))}
        </ul>
      )}
      {canManage && items.length > 0 ? (
        <div className="form-actions">
          <button type="button" className="button button--danger" disabled={chosen.length === 0 || publish.isPending} onClick={() => setConfirming(true)}>
            {publish.isPending ? t("crisis.darkSite.progress") : t("crisis.darkSite.publish", { count: Math.max(chosen.length, 1) })}
          </button>
        </div>
      ) : null}
      <ApiErrorMessage error={publish.error} />
      <ConfirmDialog
        open={confirming}
        title={t("crisis.darkSite.confirmTitle")}
        message={t("crisis.darkSite.confirm", { count: chosen.length })}
        confirmLabel={t("crisis.darkSite.confirmLabel")}
        pending={publish.isPending}
        onConfirm={() =>
          publish.mutate(chosen, {
            onSuccess: () => {
              setSelected([]);
              toast.show(t("crisis.darkSite.started"));
            },
            onSettled: () => setConfirming(false),
          })
        }
        onClose={() => setConfirming(false)}
      />
    </div>
  );
}

interface HoldingItemProps {
  item: HoldingStatement;
  selectable: boolean;
  checked: boolean;
  onToggle: (on: boolean) => void;
}

function HoldingItem({ item, selectable, checked, onToggle }: HoldingItemProps) {
  const { t } = useTranslation();
  const yesNo = (value: boolean) => t(value ? "crisis.darkSite.yes" : "crisis.darkSite.no");
  const published = item.publications.length > 0;
  const state = published ? (isInProgress(item) ? "progress" : "done") : item.ready ? "ready" : "notReady";
  return (
    <li className="publication">
      <div className="publication__head">
        {selectable ? (
          <label className="check">
            <input type="checkbox" checked={checked} onChange={(e) => onToggle(e.target.checked)} aria-label={t("crisis.darkSite.select", { title: item.title })} />
            <strong>{item.title}</strong>
          </label>
        ) : (
          <strong>{item.title}</strong>
        )}
        <span className={`status status--${state === "ready" || state === "done" ? "published" : state === "progress" ? "pending" : "failed"}`}>
          {t(`crisis.darkSite.${state}`)}
        </span>
      </div>
      <p className="muted">
        {item.clinic_name} · {item.channels.map((channel) => channel.channel_name).join(", ")}
      </p>
      <p>{item.base_text}</p>
      {published ? null : (
        <>
          <dl className="readiness">
            <dt>{t("crisis.darkSite.approved")}</dt>
            <dd>{yesNo(item.approved)}</dd>
            <dt>{t("crisis.darkSite.channels")}</dt>
            <dd>{yesNo(item.channels_connected)}</dd>
            <dt>{t("crisis.darkSite.compliance")}</dt>
            <dd>{yesNo(item.compliance_ok)}</dd>
            <dt>{t("crisis.darkSite.crisis")}</dt>
            <dd>{yesNo(item.crisis_active)}</dd>
          </dl>
          {item.problems.length > 0 ? (
            <ul className="field__error">
              {item.problems.map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </ul>
          ) : null}
        </>
      )}
      {published ? (
        <div aria-live="polite">
          <h3 className="visually-hidden">{t("crisis.darkSite.results")}</h3>
          <ul className="dark-site__results">
            {item.publications.map((publication) => (
              <li key={publication.id}>
                {publication.channel_name}: {t(`crisis.darkSite.status.${publication.status}`)}
                {publication.platform_url ? (
                  <>
                    {" – "}
                    <a href={publication.platform_url} target="_blank" rel="noreferrer">
                      {t("crisis.darkSite.live", { channel: publication.channel_name })}
                    </a>
                  </>
                ) : null}
                {publication.error ? <span className="muted"> – {publication.error}</span> : null}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </li>
  );
}
