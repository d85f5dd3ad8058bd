/** The themes the demo knows; the `theme` cookie holds one of them. */
export const THEMES = ['light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

/** The theme a cookie value names: `light` when it is missing or holds anything else. */
export function themeOf(value: string | undefined): Theme {
  return value === 'dark' ? 'dark' : 'light';
}
