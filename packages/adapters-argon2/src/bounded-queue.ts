import { ServiceUnavailableError } from '@latchkey/domain';

/**
 * Runs at most `concurrency` tasks at once and lets at most `maxQueued` wait. Past that it
 * refuses at once with ServiceUnavailableError, so a flood of logins cannot exhaust memory.
 */
export class BoundedQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxQueued: number,
  ) {}

  /** Tasks running or waiting. */
  get size(): number {
    return this.running + this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxQueued) {
        throw new ServiceUnavailableError(1, 'password hashing queue is full');
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter; `running` only drops when none waits.
      if (next) next();
      else this.running -= 1;
    }
  }
}
