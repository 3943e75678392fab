import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

/** The WCAG 2.0 A and AA rules; nothing is disabled. */
export const WCAG_TAGS = ["wcag2a", "wcag2aa"];

type Violation = Awaited<ReturnType<AxeBuilder["analyze"]>>["violations"][number];

/** One violation per block: rule, impact, help text and link, then each failing node with axe's summary. */
export function formatViolations(violations: Violation[]): string {
  return violations
    .map((violation) => {
      const nodes = violation.nodes
        .map((node) => {
          const summary = (node.failureSummary ?? "").replace(/\n/g, "\n      ");
          return `    - ${node.target.join(" ")}\n      ${node.html}\n      ${summary}`;
        })
        .join("\n");
      return `[${violation.impact ?? "?"}] ${violation.id}: ${violation.help}\n  ${violation.helpUrl}\n${nodes}`;
    })
    .join("\n\n");
}

/** Run axe on the page as it is now and fail with a readable list of every violation. */
export async function expectNoA11yViolations(page: Page, name: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const count = results.violations.length;
  expect(count, `${name}: ${count} axe violation(s)\n\n${formatViolations(results.violations)}\n`).toBe(0);
}
