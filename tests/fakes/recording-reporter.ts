import type { AskOutcome, Reporter, RunOutcome, RunProgress } from '../../src/runs/reporter.ts';

export interface RecordingReporter extends Reporter {
  readonly started: { runId: string; task: string }[];
  readonly progressUpdates: RunProgress[];
  readonly replies: string[];
  readonly questions: string[];
  readonly outcomes: RunOutcome[];
}

/** A reporter that remembers every call; `ask` answers with the scripted outcome (default: deferred). */
export function createRecordingReporter(options: { askOutcome?: AskOutcome } = {}): RecordingReporter {
  const reporter: RecordingReporter = {
    started: [],
    progressUpdates: [],
    replies: [],
    questions: [],
    outcomes: [],
    async start(info) {
      reporter.started.push(info);
    },
    progress(progress) {
      reporter.progressUpdates.push(progress);
    },
    async reply(text) {
      reporter.replies.push(text);
    },
    async ask(question) {
      reporter.questions.push(question);
      return options.askOutcome ?? { type: 'deferred' };
    },
    async finish(outcome) {
      reporter.outcomes.push(outcome);
    },
  };
  return reporter;
}
