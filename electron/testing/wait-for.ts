/** Waits, polling every few milliseconds, until `done` holds; fails after `timeoutMs`. Never a fixed sleep. */
export async function until(done: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for a condition`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
