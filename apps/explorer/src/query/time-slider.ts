/**
 * The history slider's scale: logarithmic in time, so that the last minute is as easy to pick out
 * as the last month (seconds apart near "now", days apart at the far end). Position 0 is now.
 */
export const SLIDER_STEPS = 1000;
/** The far end: history's default retention (HISTORY_RETENTION_DAYS, 30 days). */
export const SLIDER_MAX_SECONDS = 30 * 24 * 3600;

const SCALE = Math.log1p(SLIDER_MAX_SECONDS);

export function secondsAgo(position: number): number {
  return Math.expm1((Math.min(SLIDER_STEPS, Math.max(0, position)) / SLIDER_STEPS) * SCALE);
}

export function positionOf(seconds: number): number {
  return Math.round((Math.log1p(Math.max(0, seconds)) / SCALE) * SLIDER_STEPS);
}

/** "now", "12 s ago", "4.5 min ago", "3.2 h ago", "2.1 days ago". */
export function agoText(seconds: number): string {
  if (seconds < 0.5) return 'now';
  if (seconds < 60) return `${Math.round(seconds)} s ago`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min ago`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)} h ago`;
  return `${(seconds / 86_400).toFixed(1)} days ago`;
}
