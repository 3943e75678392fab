import { describe, expect, it } from "vitest";
import { NAV_ITEMS, visibleNavItems } from "./nav-config";

const keys = (items: ReturnType<typeof visibleNavItems>) =>
  items.map((item) => [item.key, ...(item.children ?? []).map((child) => child.key)].join(":"));

describe("visibleNavItems", () => {
  it("drops a section whose every entry is forbidden", () => {
    expect(keys(visibleNavItems(NAV_ITEMS, () => false))).toEqual(["overview"]);
  });

  it("keeps only the allowed entries of a section", () => {
    expect(keys(visibleNavItems(NAV_ITEMS, (p) => p === "audit.read"))).toEqual(["overview", "settings:audit"]);
  });

  it("shows everything to a user with all permissions", () => {
    expect(keys(visibleNavItems(NAV_ITEMS, () => true))).toEqual(["overview", "settings:users:sites:audit"]);
  });
});
