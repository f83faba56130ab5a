/**
 * Runs in the page: every element with its own visible text, its colour against the first opaque
 * background behind it, by WCAG 2's formula. Returns those under `minimum` (4.5:1 for body text).
 */
export const LOW_CONTRAST_SCRIPT = `(() => {
  const minimum = 4.5;
  const parse = (value) => {
    const parts = value.match(/[\\d.]+/g);
    if (!parts) return null;
    const [r, g, b, a] = parts.map(Number);
    return { r, g, b, a: a === undefined ? 1 : a };
  };
  const luminance = ({ r, g, b }) => {
    const channel = (value) => { const c = value / 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const background = (element) => {
    for (let node = element; node; node = node.parentElement) {
      const colour = parse(getComputedStyle(node).backgroundColor);
      if (colour && colour.a >= 0.99) return colour;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const low = [];
  for (const element of document.querySelectorAll('body *')) {
    const ownText = [...element.childNodes].some((node) => node.nodeType === 3 && node.textContent.trim());
    if (!ownText || element.getClientRects().length === 0) continue;
    const foreground = parse(getComputedStyle(element).color);
    const ratio = (Math.max(luminance(foreground), luminance(background(element))) + 0.05) /
      (Math.min(luminance(foreground), luminance(background(element))) + 0.05);
    if (ratio < minimum) low.push(element.tagName + '.' + element.className + ' "' + element.textContent.trim().slice(0, 30) + '" ' + ratio.toFixed(2));
  }
  return low;
})()`;
