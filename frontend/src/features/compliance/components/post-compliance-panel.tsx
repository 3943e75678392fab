import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiErrorMessage } from "@/components/feedback/api-error";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useToast } from "@/components/ui/toaster";
import type { Permission, Post } from "@/lib/api/types";
import { hasClinicPermission, useMe } from "@/lib/auth/me";
import { formatDateTime } from "@/lib/format";
import { usePostCompliance, useRevokeOverride, type PostFinding } from "../api/compliance";
import { FindingList } from "./finding-list";
import { HighlightedText } from "./highlighted-text";
import { OverrideDialog } from "./override-dialog";

const OVERRIDE: Permission = "compliance.override";

/** The post's findings for everyone (overridden ones marked with who, when and why) and the
 * override flow for privacy officers of the post's clinic. */
export function PostCompliancePanel({ post }: { post: Post }) {
  const { t } = useTranslation();
  const headingId = useId();
  const prefix = useId().replace(/:/g, "");
  const me = useMe();
  const result = usePostCompliance(post.id);
  const [overriding, setOverriding] = useState<PostFinding | null>(null);
  const [revoking, setRevoking] = useState<string | null>(null);
  const revoke = useRevokeOverride(post.id);
  const toast = useToast();
  const canOverride = hasClinicPermission(me.data, post.clinic_id, OVERRIDE);
  const channels = new Map(post.variants.map((variant) => [variant.channel_id, variant]));
  const media = new Map(post.media.map((item) => [item.media_id, item]));

  const where = (finding: PostFinding) => {
    if (finding.target === "channel") return t("compliance.where.channel", { name: channels.get(finding.channel_id ?? "")?.channel_name ?? "–" });
    if (finding.target === "media") return t("compliance.where.image", { number: (media.get(finding.media_id ?? "")?.position ?? 0) + 1 });
    return t(finding.target === "base" ? "compliance.where.base" : "compliance.where.post");
  };
  const extra = (finding: PostFinding) =>
    finding.overridden ? (
      <div className="finding__override">
        <p>
          <span aria-hidden="true">✅ </span>
          {t("compliance.overridden", { name: finding.overridden.by_name, at: formatDateTime(finding.overridden.at) })}
        </p>
        <p>{t("compliance.reason", { reason: finding.overridden.reason })}</p>
        {canOverride ? (
          <button type="button" className="button button--small" onClick={() => setRevoking(finding.overridden?.id ?? null)}>
            {t("compliance.revoke")}
          </button>
        ) : null}
      </div>
    ) : finding.severity === "block" && !finding.overridable ? (
      <p className="muted">{t("compliance.notOverridable")}</p>
    ) : canOverride && finding.overridable ? (
      <button type="button" className="button button--small" onClick={() => setOverriding(finding)}>
        {t("compliance.override")}
      </button>
    ) : null;

  const base = result.data?.findings.filter((finding) => finding.target === "base") ?? [];
  return (
    <section className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("compliance.panelHeading")}</h2>
      {result.isPending ? (
        <Loading />
      ) : result.isError ? (
        <ErrorState error={result.error} onRetry={() => void result.refetch()} />
      ) : result.data.findings.length === 0 ? (
        <p>{t("compliance.none")}</p>
      ) : (
        <>
          <p className={result.data.blocking > 0 ? "notice" : undefined}>
            {result.data.blocking > 0 ? t("compliance.blocking", { count: result.data.blocking }) : t("compliance.noBlocking")}
          </p>
          {base.some((finding) => typeof finding.start === "number") ? (
            <HighlightedText text={post.base_text} findings={base} idPrefix={prefix} />
          ) : null}
          <FindingList
            findings={result.data.findings}
            where={where}
            markPrefix={(finding) => (finding.target === "base" ? prefix : null)}
            markIndex={(finding) => base.indexOf(finding)}
            extra={extra}
          />
        </>
      )}
      <ApiErrorMessage error={revoke.error} />
      <OverrideDialog postId={post.id} finding={overriding} onClose={() => setOverriding(null)} />
      <ConfirmDialog
        open={revoking !== null}
        title={t("compliance.revokeTitle")}
        message={t("compliance.revokeMessage")}
        confirmLabel={t("compliance.revoke")}
        pending={revoke.isPending}
        onConfirm={() =>
          revoking &&
          revoke.mutate(revoking, {
            onSuccess: () => {
              toast.show(t("compliance.revokeDone"));
              setRevoking(null);
            },
          })
        }
        onClose={() => setRevoking(null)}
      />
    </section>
  );
}
