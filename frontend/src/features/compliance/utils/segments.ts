/** A finding with an optional character span (offsets count Unicode code points, as the backend does). */
export interface SpanFinding {
  severity: "block" | "warn";
  start?: number | null;
  end?: number | null;
}

export interface Segment<F extends SpanFinding> {
  text: string;
  start: number;
  end: number;
  /** The findings covering this whole piece of text (empty: plain text). */
  findings: F[];
}

export function hasSpan(finding: SpanFinding): finding is SpanFinding & { start: number; end: number } {
  return typeof finding.start === "number" && typeof finding.end === "number" && finding.end > finding.start;
}

/**
 * Cuts `text` at every start and end of a finding's span, so that overlapping findings become
 * pieces covered by one or more findings. Spans outside the text are clipped or ignored;
 * findings without a span (about the whole post) are left out.
 */
export function segmentText<F extends SpanFinding>(text: string, findings: readonly F[]): Segment<F>[] {
  const chars = Array.from(text);
  const length = chars.length;
  const spans = findings.filter(hasSpan).map((finding) => ({
    finding,
    start: Math.max(0, finding.start ?? 0),
    end: Math.min(length, finding.end ?? 0),
  }));
  const valid = spans.filter((span) => span.end > span.start);
  const cuts = [...new Set([0, length, ...valid.flatMap((span) => [span.start, span.end])])].sort((a, b) => a - b);
  const segments: Segment<F>[] = [];
  for (let index = 0; index < cuts.length - 1; index += 1) {
    const start = cuts[index] ?? 0;
    const end = cuts[index + 1] ?? length;
    if (end <= start) continue;
    segments.push({
      text: chars.slice(start, end).join(""),
      start,
      end,
      findings: valid.filter((span) => span.start <= start && span.end >= end).map((span) => span.finding),
    });
  }
  return segments;
}

/** "block" when any of the findings blocks. */
export function worstSeverity(findings: readonly SpanFinding[]): "block" | "warn" {
  return findings.some((finding) => finding.severity === "block") ? "block" : "warn";
}
