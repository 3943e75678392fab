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

  it("shows Kalender and Beiträge to a reader of posts, and Kanäle only with channels.manage", () => {
    expect(keys(visibleNavItems(NAV_ITEMS, (p) => p === "posts.read"))).toEqual(["overview", "calendar", "posts"]);
    expect(keys(visibleNavItems(NAV_ITEMS, (p) => p === "channels.manage"))).toEqual(["overview", "settings:channels"]);
  });

  it("shows Freigaben to holders of any review permission", () => {
    expect(keys(visibleNavItems(NAV_ITEMS, (p) => p === "review.privacy"))).toEqual(["overview", "approvals"]);
    expect(keys(visibleNavItems(NAV_ITEMS, (p) => p === "policies.manage"))).toEqual(["overview", "settings:policies"]);
  });

  it("shows everything to a user with all permissions", () => {
    expect(keys(visibleNavItems(NAV_ITEMS, () => true))).toEqual(["overview", "calendar", "posts", "approvals", "consents", "settings:users:sites:channels:policies:audit"]);
  });
});
