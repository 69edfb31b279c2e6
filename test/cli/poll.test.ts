import { expect, test } from 'vitest';
import { PollSchedule } from '../../src/cli/poll.js';

test('polling: every second while things change, backing off while idle, further while failing', () => {
  const s = new PollSchedule(1000, 5000, 30_000);
  expect(s.next('changed')).toBe(1000);
  const idle = [s.next('unchanged'), s.next('unchanged'), s.next('unchanged'), s.next('unchanged'), s.next('unchanged')];
  expect(idle).toEqual([1500, 2250, 3375, 5000, 5000]);
  expect(s.next('changed')).toBe(1000);
  const failing = Array.from({ length: 7 }, () => s.next('failed'));
  expect(failing).toEqual([2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  expect(s.next('unchanged')).toBe(5000);
  expect(s.next('changed')).toBe(1000);
});
