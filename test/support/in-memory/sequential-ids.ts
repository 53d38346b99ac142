import { randomInt } from 'node:crypto';
import type { Clock, IdGenerator } from '@latchkey/domain';

const DEFAULT_MS = Date.UTC(2030, 0, 1);

/**
 * UUIDv7-shaped ids that sort in creation order: the 48-bit millisecond of `clock` (or a fixed
 * instant), a per-instance random node, then a counter.
 */
export class SequentialIds implements IdGenerator {
  #counter = 0;
  readonly #node: string;

  constructor(
    private readonly clock?: Clock,
    node: number = randomInt(0, 2 ** 24),
  ) {
    this.#node = node.toString(16).padStart(6, '0').slice(-6);
  }

  newId(): string {
    const ms = (this.clock?.now().getTime() ?? DEFAULT_MS).toString(16).padStart(12, '0');
    this.#counter += 1;
    const counter = this.#counter.toString(16).padStart(12, '0');
    // version nibble 7; variant nibble 8 (binary 10xx)
    return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${this.#node.slice(0, 3)}-8${this.#node.slice(3, 6)}-${counter}`;
  }
}

/** RFC 9562 version 7 layout, any variant-10 UUID. */
export const UUID_V7_PATTERN =
  /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
