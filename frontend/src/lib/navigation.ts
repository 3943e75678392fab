/** Leave the app for another address (e.g. a platform's sign-in page). A seam for tests. */
export function goTo(url: string): void {
  window.location.assign(url);
}
