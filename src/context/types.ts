/** A piece of context gathered for a run: a thread, an issue, a pull request, a file. */
export interface ContextDocument {
  kind: string;
  title: string;
  text: string;
  /** Only the requester's own words are trusted; everything else is fenced as untrusted. */
  trusted: boolean;
  url?: string;
}
