import type { Clock } from '@latchkey/domain';

/** The real time. */
export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}
