import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Review } from "../api/approvals";
import { DiffText, DiffView } from "./diff-view";

const diff: Review["diff"] = {
  base_request_id: "00000000-0000-4000-8000-000000000901",
  base_version: 2,
  base_reason: "approved",
  fields: [
    {
      field: "base_text",
      label: "Basistext",
      segments: [
        { op: "equal", text: "Impfen schützt " },
        { op: "delete", text: "ältere" },
        { op: "insert", text: "alle" },
        { op: "equal", text: " Menschen." },
      ],
    },
  ],
};

describe("Freigaben: diff", () => {
  it("marks deletions and insertions with elements and words, not colour alone", () => {
    const { container } = render(<DiffText segments={diff.fields[0]!.segments} />);
    const deleted = container.querySelector("del");
    const inserted = container.querySelector("ins");
    expect(deleted).toHaveTextContent("[gelöscht: −ältere]");
    expect(inserted).toHaveTextContent("[eingefügt: +alle]");
    expect(container.querySelector("p")).toHaveTextContent("Impfen schützt [gelöscht: −ältere][eingefügt: +alle] Menschen.");
    // the +/− marks are for the eye only; screen readers hear the words
    expect(inserted?.querySelector("[aria-hidden='true']")).toHaveTextContent("+");
  });

  it("names the base version and lists each changed field", () => {
    render(<DiffView diff={diff} />);
    expect(screen.getByRole("heading", { name: "Änderungen" })).toBeInTheDocument();
    expect(screen.getByText("Vergleich mit der zuletzt freigegebenen Fassung 2.")).toBeInTheDocument();
    expect(screen.getByText("Basistext")).toBeInTheDocument();
  });

  it("says so when there is nothing to compare with, or nothing changed", () => {
    const { rerender } = render(<DiffView diff={{ base_request_id: null, base_version: null, base_reason: null, fields: [] }} />);
    expect(screen.getByText("Keine frühere freigegebene Fassung – nichts zu vergleichen.")).toBeInTheDocument();
    rerender(<DiffView diff={{ ...diff, base_reason: "your_approval", fields: [] }} />);
    expect(screen.getByText("Vergleich mit Fassung 2, die Sie freigegeben hatten.")).toBeInTheDocument();
    expect(screen.getByText("Seit dieser Fassung unverändert.")).toBeInTheDocument();
  });
});
