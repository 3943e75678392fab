import { Fragment, useId } from "react";
import { useTranslation } from "react-i18next";
import { segmentText, worstSeverity, type SpanFinding } from "../utils/segments";

export interface MarkedFinding extends SpanFinding {
  rule: string;
  message: string;
}

/** Stable element id of the first highlighted piece of a finding (for "show passage" links). */
export function markId(prefix: string, index: number): string {
  return `${prefix}-finding-${index}`;
}

/**
 * `text` with every finding's span in a <mark>: severity by style and icon, and for screen
 * readers a hidden "start … / end" around each highlight naming severity and message.
 */
export function HighlightedText({ text, findings, idPrefix }: { text: string; findings: readonly MarkedFinding[]; idPrefix?: string }) {
  const { t } = useTranslation();
  const ownPrefix = useId().replace(/:/g, "");
  const prefix = idPrefix ?? ownPrefix;
  const firstPiece = new Map<MarkedFinding, boolean>();
  return (
    <p className="preview__text compliance-text" aria-label={t("compliance.textPreview")}>
      {segmentText(text, findings).map((piece) => {
        if (piece.findings.length === 0) return <Fragment key={piece.start}>{piece.text}</Fragment>;
        const severity = worstSeverity(piece.findings);
        const starts = piece.findings.filter((finding) => !firstPiece.has(finding));
        starts.forEach((finding) => firstPiece.set(finding, true));
        const first = starts[0];
        return (
          <mark
            key={piece.start}
            id={first ? markId(prefix, findings.indexOf(first)) : undefined}
            tabIndex={first ? -1 : undefined}
            className={`finding-mark finding-mark--${severity}`}
            data-severity={severity}
          >
            <span className="visually-hidden">
              {t("compliance.markStart", { severity: t(`compliance.severity.${severity}`) })}{" "}
              {piece.findings.map((finding) => finding.message).join(" ")}{" "}
            </span>
            {piece.text}
            <span className="visually-hidden"> {t("compliance.markEnd")}</span>
          </mark>
        );
      })}
    </p>
  );
}
