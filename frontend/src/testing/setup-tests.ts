import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterAll, afterEach, beforeAll } from "vitest";
import i18n from "@/lib/i18n";
import { resetSessionForTests } from "@/lib/auth/session";
import { resetBackend, server } from "./server";

// jsdom lacks the modal parts of <dialog>; this mirrors the open/close behaviour the app relies on.
if (typeof HTMLDialogElement !== "undefined" && !HTMLDialogElement.prototype.showModal) {
  HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
    this.setAttribute("open", "");
  };
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    this.removeAttribute("open");
    this.dispatchEvent(new Event("close"));
  };
}
window.scrollTo = () => undefined;

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(async () => {
  cleanup();
  server.resetHandlers();
  resetBackend();
  resetSessionForTests();
  localStorage.clear();
  sessionStorage.clear();
  await i18n.changeLanguage("de");
});
afterAll(() => server.close());
