// Declarations the TSDoc examples of @tta/devtools assume (see scripts/tsdoc-preludes/primitives.ts).
interface Order { readonly id: string; readonly total: number }
declare const reserve: WorkflowPrimitive<Order, Order>;
declare const charge: WorkflowPrimitive<Order, { readonly receipt: string }>;
declare const checkout: WorkflowPrimitive<Order, { readonly receipt: string }>;
declare const order: Order;
