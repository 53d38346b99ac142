import type { Clock, IdGenerator } from '@latchkey/domain';
import { poolRandomBytes } from './random-pool.js';

/**
 * RFC 9562 UUID version 7: 48-bit Unix ms timestamp, then random bits. Within one ms a 12-bit
 * counter in `rand_a` keeps ids from one process strictly increasing.
 */
export class UuidV7Generator implements IdGenerator {
  private lastMs = -1;
  private counter = 0;

  constructor(private readonly clock: Clock = { now: () => new Date() }) {}

  newId(): string {
    let ms = this.clock.now().getTime();
    if (ms <= this.lastMs) {
      this.counter += 1;
      if (this.counter > 0xfff) {
        this.lastMs += 1;
        this.counter = 0;
      }
      ms = this.lastMs;
    } else {
      this.lastMs = ms;
      this.counter = 0;
    }
    const bytes = poolRandomBytes(16);
    bytes.writeUIntBE(ms, 0, 6);
    bytes[6] = 0x70 | (this.counter >> 8);
    bytes[7] = this.counter & 0xff;
    bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** @returns the Unix ms timestamp of a UUIDv7, or null when `id` is not one. */
export const uuidV7Timestamp = (id: string): number | null =>
  UUID_V7.test(id) ? parseInt(id.slice(0, 8) + id.slice(9, 13), 16) : null;
