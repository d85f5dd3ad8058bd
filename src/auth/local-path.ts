/**
 * Whether `next` is a path on this origin: one "/" then anything but "/" or "\" (which browsers
 * read as another host), and no control characters. The login redirect never leaves the site.
 */
export function isLocalPath(next: string | undefined): next is string {
  if (next === undefined || !/^\/(?![/\\])/.test(next)) return false;
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u001f\u007f]/.test(next);
}
