// Declarations the TSDoc examples of @tta/agent-context assume (see scripts/tsdoc-preludes/primitives.ts).
import { z } from 'zod';
declare const context: AgentContext;
declare const coder: AgentDefinition<string, string>;
declare const finding: string;
declare const plan: { readonly steps: readonly string[] };
