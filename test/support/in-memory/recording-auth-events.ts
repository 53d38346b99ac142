import type { AuthEvent, AuthEvents } from '@latchkey/domain';

/** AuthEvents that keeps every event, for assertions. */
export class RecordingAuthEvents implements AuthEvents {
  readonly events: AuthEvent[] = [];

  emit(event: AuthEvent): void {
    this.events.push(event);
  }
}
