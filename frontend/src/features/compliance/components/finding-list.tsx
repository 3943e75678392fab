import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { hasSpan } from "../utils/segments";
import { markId, type MarkedFinding } from "./highlighted-text";

// Glyphs every system font has (no emoji font needed): the severity word beside them carries the meaning.
const ICONS = { block: "✖", warn: "⚠" } as const;

interface FindingListProps<F extends MarkedFinding> {
  findings: readonly F[];
  /** Where each finding is (e.g. "Haupttext", "Bild 2"); omitted: not shown. */
  where?: (finding: F) => string | null;
  /** The id prefix of the HighlightedText that shows the spans ("show passage" links). */
  markPrefix?: (finding: F) => string | null;
  /** Index of the finding within its HighlightedText. */
  markIndex?: (finding: F, index: number) => number;
  extra?: (finding: F) => ReactNode;
}

/** Findings as a list: icon and severity word (not colour alone), place, message, rule id. */
export function FindingList<F extends MarkedFinding>({ findings, where, markPrefix, markIndex, extra }: FindingListProps<F>) {
  const { t } = useTranslation();
  return (
    <ul className="finding-list">
      {findings.map((finding, index) => {
        const prefix = markPrefix?.(finding);
        const place = where?.(finding);
        return (
          <li key={`${finding.rule}-${index}`} className={`finding finding--${finding.severity}`}>
            <p className="finding__head">
              <span aria-hidden="true">{ICONS[finding.severity]}</span>{" "}
              <strong>{t(`compliance.severity.${finding.severity}`)}</strong>
              {place ? <span className="muted"> · {place}</span> : null}
            </p>
            <p className="finding__message">
              {finding.message} <span className="muted">({finding.rule})</span>
            </p>
            {prefix && hasSpan(finding) ? (
              <a
                href={`#${markId(prefix, markIndex ? markIndex(finding, index) : index)}`}
                onClick={(event) => {
                  const target = document.getElementById(markId(prefix, markIndex ? markIndex(finding, index) : index));
                  if (!target) return;
                  event.preventDefault();
                  target.focus();
                  target.scrollIntoView?.({ block: "center" });
                }}
              >
                {t("compliance.showSpan")}
              </a>
            ) : null}
            {extra?.(finding)}
          </li>
        );
      })}
    </ul>
  );
}
