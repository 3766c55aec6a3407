import type { InstallOutcome } from './install-service';

/** HTML-escapes text for element content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface PageContent {
  title: string;
  /** English paragraphs (plain text, escaped here). */
  lines: string[];
  /** Hebrew paragraphs, shown right-to-left. */
  hebrew: string[];
  items?: string[];
}

/** A small self-contained page (no scripts, so the app's CSP holds) in English with a Hebrew line. */
export function renderPage(content: PageContent): string {
  const p = (t: string) => `<p>${escapeHtml(t)}</p>`;
  const items = content.items?.length ? `<ul>${content.items.map((i) => `<li dir="auto">${escapeHtml(i)}</li>`).join('')}</ul>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(content.title)} · Responder Live for GoHighLevel</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1f2937}h1{font-size:1.4rem}.he{border-top:1px solid #e5e7eb;margin-top:1.5rem;padding-top:1rem}</style>
</head>
<body>
<h1>${escapeHtml(content.title)}</h1>
${content.lines.map(p).join('\n')}
${items}
<div class="he" dir="rtl" lang="he">
${content.hebrew.map(p).join('\n')}
</div>
</body>
</html>
`;
}

/** The callback's success page: what was connected and what to do next. */
export function successPage(outcome: InstallOutcome): string {
  const connected = outcome.locations.filter((l) => !l.error);
  const failed = outcome.locations.filter((l) => l.error);
  const label = (l: { locationId: string; name: string | null }) => (l.name ? `${l.name} (${l.locationId})` : l.locationId);
  const lines =
    outcome.userType === 'Location'
      ? [`Responder Live is now connected to your GoHighLevel sub-account ${connected.map(label).join(', ')}.`]
      : [
          `Responder Live is now connected to your agency${outcome.companyId ? ` (${outcome.companyId})` : ''}` +
            ` and ${connected.length} sub-account${connected.length === 1 ? '' : 's'}.`,
        ];
  if (failed.length) {
    lines.push(`${failed.length} sub-account${failed.length === 1 ? '' : 's'} could not be connected yet; GoHighLevel said:`);
  }
  lines.push(
    'Next: open the Responder Live panel from the left menu of your sub-account in GoHighLevel, go to Settings, and connect your Responder Live account there. Messages will then appear on your contacts by themselves.',
  );
  return renderPage({
    title: 'Connected',
    lines,
    items: [...(outcome.userType === 'Company' ? connected.map(label) : []), ...failed.map((l) => `${label(l)}: ${l.error}`)],
    hebrew: [
      'רב מסר חובר בהצלחה ל-GoHighLevel.',
      'השלב הבא: פתחו את לוח Responder Live בתפריט של תת-החשבון ב-GoHighLevel, עברו להגדרות וחברו שם את חשבון רב מסר שלכם.',
    ],
  });
}

/** A refusal page: the English explanation plus its Hebrew counterpart. */
export function errorPage(title: string, message: string, hebrew: string): string {
  return renderPage({
    title,
    lines: [message, 'You can start again from the app’s page in the GoHighLevel marketplace.'],
    hebrew: [hebrew, 'אפשר להתחיל מחדש מדף האפליקציה ב-Marketplace של GoHighLevel.'],
  });
}
