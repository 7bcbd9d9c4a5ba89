import { InvalidOptionsError, type Disposable, type Event } from '@tta/primitives';
import { EventEmitter, assertSpecificationVersion, describeValue, requireMethods, toDisposable } from '@tta/primitives/instrumentation';
import { ValidationError, type StandardSchemaV1 } from '@tta/primitives';
import { assertSchema, checkWithSchema } from '../state/schema.js';
import type { Mailbox, MailboxMessage, ReceiveOptions } from './mailbox.js';
import { reportError } from '../internal/report-error.js';

/** Message types and the Standard Schema (zod, valibot, arktype...) of each one's payload. */
export type MessageSchemas = { readonly [type: string]: StandardSchemaV1 };

/** A delivered message whose payload matched the schema of its type. */
export type TypedMessage<TSchemas extends MessageSchemas, TType extends keyof TSchemas & string = keyof TSchemas & string> = {
  [K in TType]: MailboxMessage<StandardSchemaV1.InferOutput<TSchemas[K]>> & { readonly type: K };
}[TType];

/** A message to send or publish; the payload type follows from `type`. */
export type TypedDraft<TSchemas extends MessageSchemas, TType extends keyof TSchemas & string> = {
  readonly type: TType;
  readonly from: string;
  readonly payload: StandardSchemaV1.InferInput<TSchemas[TType]>;
  readonly correlationId?: string;
};

/** An incoming message that did not match its schema, and why. */
export interface InvalidMessageEvent {
  readonly message: MailboxMessage;
  readonly error: ValidationError;
}

/**
 * A {@link Mailbox} with typed, validated messages: each message type has a Standard Schema (zod,
 * valibot, arktype..., synchronous or asynchronous). Outgoing messages that do not match are refused
 * with the core's `ValidationError` listing the issues with their paths (nothing is sent); incoming
 * ones (for example from another process) are checked too, and an invalid one is not handed to the
 * receiver but reported through `onInvalidMessage`.
 *
 * @example
 * ```ts
 * const mailbox = new InMemoryMailbox();
 * const messages = new TypedMailbox(mailbox, {
 *   task: z.object({ file: z.string(), change: z.string() }),
 *   done: z.object({ file: z.string(), ok: z.boolean() }),
 * });
 * await messages.send({ type: 'task', from: 'planner', to: 'coder', payload: { file: 'a.ts', change: 'add tests' } });
 * for (const message of await messages.receive('coder')) if (message.type === 'task') message.payload.file;
 * ```
 */
export class TypedMailbox<const TSchemas extends MessageSchemas> {
  private readonly invalid = new EventEmitter<InvalidMessageEvent>();

  /** Fires for each incoming message that failed its schema (it is dropped). */
  readonly onInvalidMessage: Event<InvalidMessageEvent> = this.invalid.event;

  constructor(
    /** The mailbox underneath (in memory, Redis...). */
    readonly mailbox: Mailbox,
    /** Payload schema per message type. */
    readonly schemas: TSchemas,
  ) {
    requireMethods('TypedMailbox', 'mailbox', mailbox, { methods: ['send'], description: 'a Mailbox' });
    assertSpecificationVersion('TypedMailbox', 'mailbox', mailbox);
    if (typeof schemas !== 'object' || schemas === null || Object.keys(schemas).length === 0) {
      throw new InvalidOptionsError('TypedMailbox', 'schemas', `must be a non-empty record of message type -> Standard Schema (got ${describeValue(schemas)})`);
    }
    for (const [type, schema] of Object.entries(schemas)) assertSchema('TypedMailbox', `schemas[${JSON.stringify(type)}]`, schema);
  }

  /** Validates and sends a direct message to `to`'s inbox; an `id` makes a retried send queue it once (see `DirectMessageDraft.id`). */
  async send<TType extends keyof TSchemas & string>(draft: TypedDraft<TSchemas, TType> & { readonly to: string; readonly id?: string }): Promise<TypedMessage<TSchemas, TType>> {
    const payload = await this.validate(draft.type, draft.payload);
    return (await this.mailbox.send({ ...draft, payload })) as TypedMessage<TSchemas, TType>;
  }

  /** Validates and publishes a message to the subscribers of its type. */
  async publish<TType extends keyof TSchemas & string>(draft: TypedDraft<TSchemas, TType>): Promise<TypedMessage<TSchemas, TType>> {
    const payload = await this.validate(draft.type, draft.payload);
    return (await this.mailbox.publish({ ...draft, payload })) as TypedMessage<TSchemas, TType>;
  }

  /**
   * Takes waiting messages from the inbox; those that fail their schema are dropped and reported
   * (through `onInvalidMessage`). A message the schema cannot check at all (its `validate` throws,
   * or answers something that is not a result) is dropped and reported as an uncaught error: the
   * batch is already taken from the inbox, so rejecting would lose its valid messages too.
   */
  async receive(agentId: string, options?: ReceiveOptions): Promise<TypedMessage<TSchemas>[]> {
    const messages = await this.mailbox.receive(agentId, options);
    const valid: TypedMessage<TSchemas>[] = [];
    for (const message of messages) {
      let checked: TypedMessage<TSchemas> | undefined;
      try {
        checked = await this.checkIncoming(message);
      } catch (error) {
        reportError(error);
        continue;
      }
      if (checked !== undefined) valid.push(checked);
    }
    return valid;
  }

  /** Number of messages waiting in `agentId`'s inbox. */
  pending(agentId: string): Promise<number> {
    return this.mailbox.pending(agentId);
  }

  /** Calls `listener` with each valid message published with this type. Resolves once active. */
  async subscribe<TType extends keyof TSchemas & string>(type: TType, listener: (message: TypedMessage<TSchemas, TType>) => void | Promise<void>): Promise<Disposable> {
    this.schemaOf(type);
    const deliver = (checked: TypedMessage<TSchemas> | undefined): void | Promise<void> => (checked === undefined ? undefined : listener(checked as TypedMessage<TSchemas, TType>));
    const subscription = await this.mailbox.subscribe(type, (message) => {
      const checked = this.checkIncoming(message);
      // A synchronous schema delivers at once, in order; only an asynchronous one adds a turn.
      return checked instanceof Promise ? checked.then(deliver) : deliver(checked);
    });
    return toDisposable(() => subscription.dispose());
  }

  private validate(type: string, payload: unknown): unknown {
    return checkWithSchema(this.schemaOf(type), payload, `TypedMailbox: message "${type}"`);
  }

  private schemaOf(type: string): StandardSchemaV1 {
    const schema = Object.hasOwn(this.schemas, type) ? this.schemas[type] : undefined;
    if (schema === undefined) {
      throw new ValidationError([{ path: ['type'], message: `unknown message type ${JSON.stringify(type)} (known: ${Object.keys(this.schemas).join(', ')})` }], undefined, { subject: 'TypedMailbox' });
    }
    return schema;
  }

  private checkIncoming(message: MailboxMessage): TypedMessage<TSchemas> | undefined | Promise<TypedMessage<TSchemas> | undefined> {
    const accept = (payload: unknown): TypedMessage<TSchemas> => ({ ...message, payload }) as TypedMessage<TSchemas>;
    const reject = (error: unknown): undefined => {
      if (!ValidationError.isInstance(error)) throw error;
      if (this.invalid.hasListeners) this.invalid.emit({ message, error });
      return undefined;
    };
    try {
      const payload = this.validate(message.type, message.payload);
      return payload instanceof Promise ? payload.then(accept, reject) : accept(payload);
    } catch (error) {
      return reject(error);
    }
  }
}
