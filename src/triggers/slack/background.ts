import type { Logger } from '../../observability/logger.ts';

/**
 * Work that must not delay the ack (Slack replies, reactions, the status message). `run` starts it on
 * the next turn of the event loop, after Bolt has written the ack response, and never lets it throw.
 */
export interface BackgroundTasks {
  run(name: string, work: () => Promise<unknown> | unknown): void;
  idle(): Promise<void>;
}

export function createBackgroundTasks(log: Logger): BackgroundTasks {
  const pending = new Set<Promise<void>>();
  return {
    run(name, work) {
      const task = new Promise<void>((resolve) => {
        setImmediate(() => {
          Promise.resolve()
            .then(work)
            .catch((error: unknown) => log.warn({ err: error, task: name }, 'slack-background-task-failed'))
            .finally(resolve);
        });
      });
      pending.add(task);
      void task.finally(() => pending.delete(task));
    },
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
