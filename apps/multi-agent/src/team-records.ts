// The records agents leave on the blackboard, apart from the code that writes them: the team, its
// steps and its keys all use them, and none may import another just for a type.

/** One researched sub-question, as kept on the blackboard. */
export interface Finding {
  readonly index: number;
  readonly subQuestion: string;
  readonly text: string;
  readonly by: string;
}

/** The critics' joint verdict. */
export interface Review {
  readonly verdict: 'approve' | 'revise' | 'no consensus';
  /** Share of critics that agreed. */
  readonly agreement: number;
  readonly supporters: readonly string[];
  readonly notes: readonly string[];
}
