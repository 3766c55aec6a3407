import type { MessageCompiler, MessageContext } from 'vue-i18n';

/*
 * The panel's texts use two pieces of vue-i18n's message syntax: `{name}` placeholders and `a | b | c` plural
 * cases. This compiles exactly that, so the build can drop vue-i18n's own compiler (__INTLIFY_DROP_MESSAGE_COMPILER__
 * in vite.config.ts; about 5 KB of the 100 KB gzipped first-load budget). A text using anything else (`@:linked`
 * messages, `{'literal'}`, `{0}` list slots, `\` escapes) is refused when first shown, and the catalogue test
 * compiles every text, so no such text can ship. https://vue-i18n.intlify.dev/guide/advanced/format
 */

type Part = string | { name: string };
type Case = readonly Part[];
type PanelMessageFunction = (ctx: MessageContext<string>) => string;

// vue-i18n drops the spaces around a plural pipe and allows `-` and `$` in placeholder names.
const PLURAL_PIPE = /\s*\|\s*/;
const PLACEHOLDER = /\{\s*([A-Za-z_$][\w$-]*)\s*\}/g;
const SYNTAX_CHARS = /[{}@|\\]/;

const compiled = new Map<string, PanelMessageFunction>();

function parseCase(source: string, message: string): Case {
  const parts: Part[] = [];
  let from = 0;
  for (const match of source.matchAll(PLACEHOLDER)) {
    parts.push(source.slice(from, match.index), { name: match[1]! });
    from = match.index + match[0].length;
  }
  parts.push(source.slice(from));
  if (parts.some((p) => typeof p === 'string' && SYNTAX_CHARS.test(p))) {
    throw new Error(`Unsupported message syntax (only {name} and plural |): "${message}"`);
  }
  return parts.filter((p) => p !== '');
}

function render(ctx: MessageContext<string>, parts: Case): string {
  // A missing value shows as nothing, as in vue-i18n.
  return parts.map((p) => (typeof p === 'string' ? p : String(ctx.named(p.name) ?? ''))).join('');
}

/** vue-i18n `messageCompiler` for the panel's catalogues; compiled texts are cached by their source. */
export const compilePanelMessage: MessageCompiler = (message) => {
  // Precompiled message ASTs only come from vue-i18n's bundler plugin, which the panel does not use.
  if (typeof message !== 'string') throw new Error('Only text messages are supported');
  let fn = compiled.get(message);
  if (!fn) {
    const cases = message.split(PLURAL_PIPE).map((c) => parseCase(c, message));
    const [only] = cases;
    fn = cases.length === 1 ? (ctx) => render(ctx, only!) : (ctx) => ctx.plural(cases.map((c) => render(ctx, c)));
    compiled.set(message, fn);
  }
  return fn;
};
