/**
 * The engine's outgoing event stream. Subsystems emit typed events; transports subscribe and
 * forward the envelopes to their clients. A failing subscriber never breaks the emitter.
 */
import type { EventData, EventName } from '../api/contract.js';
import type { EventMessage } from '../api/messages.js';

export type EventSubscriber = (message: EventMessage) => void;

export class EventHub {
  private seq = 0;
  private readonly subscribers = new Set<EventSubscriber>();

  constructor(private readonly onSubscriberError: (error: unknown) => void = () => {}) {}

  emit<E extends EventName>(event: E, data: EventData<E>): void {
    const message: EventMessage = { type: 'event', event, data, seq: ++this.seq };
    for (const subscriber of this.subscribers) {
      try {
        subscriber(message);
      } catch (error) {
        this.onSubscriberError(error);
      }
    }
  }

  subscribe(subscriber: EventSubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }
}
