import { useId, useMemo } from "react";
import { useTranslation } from "react-i18next";
import { ErrorState } from "@/components/feedback/error-state";
import { useDebounced } from "@/hooks/use-debounced";
import { useTextCheck, type CheckFinding, type CheckInput } from "../api/compliance";
import { FindingList } from "./finding-list";
import { HighlightedText } from "./highlighted-text";

export interface ComplianceAssistProps {
  text: string;
  language?: string;
  category?: CheckInput["category"] | "";
  showsPatient?: boolean;
  /** Alt texts of the attached images in order. */
  altTexts?: string[];
}

/** The composer's live check: the text as last checked with highlighted passages, and the list. */
export function ComplianceAssist({ text, language, category, showsPatient = false, altTexts = [] }: ComplianceAssistProps) {
  const { t } = useTranslation();
  const headingId = useId();
  const prefix = useId().replace(/:/g, "");
  const input: CheckInput = {
    text,
    kind: "post",
    shows_patient: showsPatient,
    media: altTexts.map((alt) => ({ alt_text: alt, kind: "image" as const })),
    ...(language ? { language } : {}),
    ...(category ? { category } : {}),
  };
  // Debounce the serialized input: a new object each render must not restart the timer.
  const serialized = useDebounced(JSON.stringify(input), 500);
  const checked = useMemo(() => JSON.parse(serialized) as CheckInput, [serialized]);
  const check = useTextCheck(checked, true);
  const findings = check.data?.findings ?? [];
  const blocking = findings.filter((finding) => finding.severity === "block").length;
  const where = (finding: CheckFinding) =>
    typeof finding.media_index === "number"
      ? t("compliance.where.image", { number: finding.media_index + 1 })
      : typeof finding.start === "number"
        ? t("compliance.where.base")
        : t("compliance.where.post");

  return (
    <section className="compliance-assist" aria-labelledby={headingId}>
      <h3 id={headingId}>{t("compliance.heading")}</h3>
      <p className="muted">{t("compliance.hint")}</p>
      <p role="status" className={check.isFetching ? "muted" : undefined}>
        {check.isPending
          ? t("compliance.checking")
          : findings.length === 0
            ? t("compliance.none")
            : t("compliance.summary", { count: findings.length, blocking })}
      </p>
      {check.isError && !check.data ? (
        <ErrorState error={check.error} title={t("compliance.checkError")} onRetry={() => void check.refetch()} />
      ) : null}
      {findings.some((finding) => typeof finding.start === "number") ? (
        <HighlightedText text={checked.text} findings={findings} idPrefix={prefix} />
      ) : null}
      {findings.length > 0 ? <FindingList findings={findings} where={where} markPrefix={() => prefix} /> : null}
    </section>
  );
}
