/**
 * Text written by anyone but the trusted requester is fenced so the model treats it as data.
 * A closing tag inside the text is neutralised so it cannot end the fence early.
 */
export function fenceUntrusted(source: string, text: string): string {
  const safeSource = source.replace(/["<>]/g, '');
  const safeText = text.replace(/<\/?untrusted[^>]*>/gi, (tag) => tag.replace(/</g, '‹').replace(/>/g, '›'));
  return `<untrusted source="${safeSource}">\n${safeText}\n</untrusted>`;
}
