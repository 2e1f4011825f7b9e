// Recursion without the JavaScript stack. A recursive walk is written as a generator that, where it
// would call itself, yields the generator of the call and receives its result: `const x = yield f(y)`.
// run() keeps the suspended calls in an array, so nesting as deep as libpcap's parser allows (10,000
// levels) costs heap, not stack. An exception travels up through the callers as it would in recursion.

/** A walk step: yields sub-calls, each resumed with its result, and returns its own result. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each sub-call has its own result type
export type Walk<T> = Generator<Walk<any>, T, any>;

/** The result of a walk, running its sub-calls depth first with an explicit stack. */
export function run<T>(walk: Walk<T>): T {
  const calls: Walk<unknown>[] = [walk];
  let result: unknown;
  let thrown: { error: unknown } | undefined;
  for (;;) {
    const caller = calls[calls.length - 1]!;
    let step: IteratorResult<Walk<unknown>, unknown>;
    try {
      step = thrown ? caller.throw(thrown.error) : caller.next(result);
      thrown = undefined;
    } catch (error) {
      calls.pop();
      if (calls.length === 0) throw error;
      thrown = { error };
      continue;
    }
    if (step.done) {
      calls.pop();
      result = step.value;
      if (calls.length === 0) return result as T;
    } else {
      calls.push(step.value);
      result = undefined;
    }
  }
}
