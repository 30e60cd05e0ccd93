// Listener sets whose listeners cannot break the emitter: a throwing listener
// is reported, never propagated into the engine's state machine.
import type { Disposable } from './types';

export class EventHub<T> {
  private readonly listeners = new Set<(e: T) => void>();

  constructor(private readonly onListenerError: (e: unknown) => void = () => {}) {}

  on(listener: (e: T) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  emit(event: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch (e) {
        this.onListenerError(e);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
