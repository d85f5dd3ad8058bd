import type { FlashMessage } from 'nestjs-flask-session';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** What every page shows around its own content: the theme, the flashed messages. */
export interface PageFrame {
  theme: string;
  flashes: FlashMessage[];
}

/** A minimal page around already escaped body HTML. */
export function page(title: string, body: string, frame: PageFrame): string {
  const flashes = frame.flashes
    .map(
      ({ category, message }) =>
        `<p class="flash flash-${escapeHtml(category)}" role="status">${escapeHtml(message)}</p>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body class="theme-${escapeHtml(frame.theme)}">
${flashes}${flashes ? '\n' : ''}${body}
</body>
</html>
`;
}
