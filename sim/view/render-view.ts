// The views `--format` and `raftsim view` offer, by name.

import { renderHtml } from './html/render.ts';
import { renderMermaid, renderText, type ViewInput } from './views.ts';

export type ViewFormat = 'text' | 'mermaid' | 'html';
export const VIEW_FORMATS: readonly ViewFormat[] = ['text', 'mermaid', 'html'];

export function renderView(format: ViewFormat, input: ViewInput): string {
  switch (format) {
    case 'text':
      return renderText(input);
    case 'mermaid':
      return renderMermaid(input);
    case 'html':
      return renderHtml(input);
  }
}
