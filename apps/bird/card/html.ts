/**
 * A piece of HTML that is safe to put in a page as is: only {@link html} and {@link trustedHtml}
 * make one, so a plain string can never pass for markup.
 */
export class SafeHtml {
  readonly #markup: string;

  /** Prefer {@link html}; this is for the few fixed strings a template cannot express. */
  constructor(markup: string) {
    this.#markup = markup;
  }

  toString(): string {
    return this.#markup;
  }
}

/** What a template may interpolate: text (escaped), markup it built itself, lists, or nothing. */
export type HtmlValue = string | number | SafeHtml | readonly HtmlValue[] | null | undefined;

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

/** `text` with every character that means something in HTML text or a quoted attribute escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (character) => ESCAPES[character]!);
}

/**
 * A tagged template that escapes by default: every interpolated value is escaped as text unless
 * it is itself the result of `html` (a {@link SafeHtml}); arrays are joined, `null` and
 * `undefined` print nothing. Attribute values must be quoted in the template.
 * @example html`<p title="${userText}">${userText}</p>` // both escaped
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let markup = strings[0]!;
  values.forEach((value, index) => {
    markup += render(value) + strings[index + 1]!;
  });
  return new SafeHtml(markup);
}

/** Marks a fixed string (a stylesheet, a script this module ships) as markup. Never user input. */
export function trustedHtml(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

function render(value: HtmlValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('');
  return escapeHtml(String(value));
}
