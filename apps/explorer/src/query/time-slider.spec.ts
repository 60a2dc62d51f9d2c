import { agoText, positionOf, secondsAgo, SLIDER_MAX_SECONDS, SLIDER_STEPS } from './time-slider';

describe('the history slider scale', () => {
  it('runs from now to 30 days ago, seconds apart near now and hours apart at the far end', () => {
    expect(secondsAgo(0)).toBe(0);
    expect(secondsAgo(SLIDER_STEPS)).toBeCloseTo(SLIDER_MAX_SECONDS, 3);
    expect(secondsAgo(150) - secondsAgo(149)).toBeLessThan(0.2);
    expect(secondsAgo(1000) - secondsAgo(999)).toBeGreaterThan(3000);
  });

  it('finds the position of a moment to within one step', () => {
    for (const s of [1, 5, 42, 600, 7200, 3 * 86_400]) {
      const p = positionOf(s);
      expect(secondsAgo(p - 1)).toBeLessThan(s);
      expect(secondsAgo(p + 1)).toBeGreaterThan(s);
    }
  });

  it('says how long ago in the unit a reader expects', () => {
    expect([0, 12.4, 270, 11_520, 181_440].map(agoText)).toEqual(['now', '12 s ago', '4.5 min ago', '3.2 h ago', '2.1 days ago']);
  });
});
