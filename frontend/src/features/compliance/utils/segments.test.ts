import { describe, expect, it } from "vitest";
import { segmentText, worstSeverity } from "./segments";

const block = (start: number | null, end: number | null, rule = "pii.phone") => ({ rule, severity: "block" as const, start, end });
const warn = (start: number, end: number) => ({ rule: "hwg.promise", severity: "warn" as const, start, end });

describe("segmentText", () => {
  it("returns the whole text as one plain piece without findings", () => {
    expect(segmentText("Hallo Welt", [])).toEqual([{ text: "Hallo Welt", start: 0, end: 10, findings: [] }]);
    expect(segmentText("", [])).toEqual([]);
  });

  it("cuts around one span", () => {
    const finding = block(6, 10);
    const pieces = segmentText("Hallo Welt!", [finding]);
    expect(pieces.map((piece) => [piece.text, piece.findings.length])).toEqual([
      ["Hallo ", 0],
      ["Welt", 1],
      ["!", 0],
    ]);
    expect(pieces[1]?.findings).toEqual([finding]);
  });

  it("splits overlapping spans into pieces covered by each finding", () => {
    const first = block(0, 5);
    const second = warn(3, 8);
    const pieces = segmentText("abcdefghij", [first, second]);
    expect(pieces.map((piece) => [piece.text, piece.findings])).toEqual([
      ["abc", [first]],
      ["de", [first, second]],
      ["fgh", [second]],
      ["ij", []],
    ]);
    expect(worstSeverity(pieces[2]?.findings ?? [])).toBe("warn");
    expect(worstSeverity(pieces[1]?.findings ?? [])).toBe("block");
  });

  it("counts offsets in code points like the backend (emoji before the span)", () => {
    const text = "👨‍👩‍👧 Herr Muster";
    // "👨‍👩‍👧" is five code points (three people, two joiners), then a space.
    const pieces = segmentText(text, [block(6, 17)]);
    expect(pieces.map((piece) => piece.text)).toEqual(["👨‍👩‍👧 ", "Herr Muster"]);
  });

  it("ignores whole-post findings and clips spans that run past the end", () => {
    const pieces = segmentText("kurz", [block(null, null, "consent.missing"), block(2, 99), block(7, 9)]);
    expect(pieces.map((piece) => [piece.text, piece.findings.length])).toEqual([
      ["ku", 0],
      ["rz", 1],
    ]);
  });
});
