import type { Clock } from '@latchkey/domain';

/** A clock that only moves when told to. */
export class FixedClock implements Clock {
  #ms: number;

  constructor(start: Date | string | number = '2030-01-01T00:00:00.000Z') {
    this.#ms = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#ms);
  }

  /** Sets the current instant. */
  set(at: Date | string | number): void {
    this.#ms = new Date(at).getTime();
  }

  /** Moves time forward by `ms` (backward when negative). */
  advance(ms: number): void {
    this.#ms += ms;
  }
}
