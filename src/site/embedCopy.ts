// The one piece of JavaScript on the site: "copy embed code" next to each chart's
// embed link. Without JavaScript the button stays hidden and the link still opens
// the embed page, whose address can be put in an <iframe> by hand.

/** The iframe markup for an embed page (absolute URL, so it works pasted anywhere). */
export function embedCode(url: string, title: string): string {
  const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<iframe src="${attr(url)}" title="${attr(title)}" width="800" height="450" style="border:0" loading="lazy"></iframe>`;
}

export function enableEmbedCopy(doc: Document): void {
  if (!navigator.clipboard) return;
  for (const button of doc.querySelectorAll<HTMLButtonElement>('button.copy-embed')) {
    const link = button.parentElement?.querySelector<HTMLAnchorElement>('a[data-embed]');
    if (!link) continue;
    button.hidden = false;
    const label = button.textContent ?? '';
    button.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(embedCode(link.href, link.dataset.embedTitle ?? ''));
        button.textContent = button.dataset.done ?? label;
      } catch {
        // Clipboard refused (permissions): the link beside the button still works.
        button.textContent = label;
      }
      setTimeout(() => (button.textContent = label), 2000);
    });
  }
}
