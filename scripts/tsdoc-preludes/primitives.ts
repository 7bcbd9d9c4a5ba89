// Declarations the TSDoc examples of @tta/primitives assume: what a reader's own code would hold (the
// run's context, a model step, an order type). The doc check (scripts/tsdoc-examples.mjs) copies each
// statement in front of an example that mentions its name and does not declare it; keep one statement
// per line and no comments inside a statement.
declare const context: WorkflowContext;
declare const input: string;
declare const options: Readonly<Record<string, unknown>>;
declare const llm: WorkflowPrimitive<string, string>;
declare const callModel: WorkflowPrimitive<string, string>;
declare const smallModel: WorkflowPrimitive<string, string>;
declare const largeModel: WorkflowPrimitive<string, string>;
declare const gpt4: WorkflowPrimitive<string, string>;
declare const gpt35: WorkflowPrimitive<string, string>;
declare const localModel: WorkflowPrimitive<string, string>;
declare const summarise: WorkflowPrimitive<string, string>;
declare const classify: WorkflowPrimitive<string, 'positive' | 'neutral' | 'negative'>;
declare const text: string;
declare const workflow: WorkflowPrimitive<string, string>;
declare const search: WorkflowPrimitive<string, readonly string[]>;
declare const embedMany: WorkflowPrimitive<string[], number[][]>;
declare const log: { warn(message: string, fields?: Readonly<Record<string, unknown>>): void; info(message: string, fields?: Readonly<Record<string, unknown>>): void };
declare function isAuthError(error: unknown): boolean;
interface Order { readonly id: string; readonly sku: string; readonly quantity: number }
interface Doc { readonly text: string; readonly lang: string }
declare const breaker: CircuitBreakerPrimitive<string, string>;
import { z } from 'zod';
interface Booking { readonly flight: string; readonly seat?: string; readonly chargeId?: string }
declare const reserveSeat: WorkflowPrimitive<Booking, Booking>;
declare const releaseSeat: WorkflowPrimitive<{ readonly input: Booking; readonly output: Booking }, unknown>;
declare const chargeCard: WorkflowPrimitive<Booking, Booking>;
declare const refundCard: WorkflowPrimitive<{ readonly input: Booking; readonly output: Booking }, unknown>;
declare const answer: WorkflowPrimitive<string, string>;
declare const fetchNews: WorkflowPrimitive<string, readonly string[]>;
declare const fetchWeather: WorkflowPrimitive<string, { readonly celsius: number }>;
