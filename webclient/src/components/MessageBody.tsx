import type { ReactNode } from 'react';
import { parseMarkup, type Inline } from '../lib/markup';

function inline(nodes: Inline[]): ReactNode[] {
  return nodes.map((node, index) => {
    switch (node.type) {
      case 'text':
        return node.text;
      case 'code':
        return <code key={index}>{node.text}</code>;
      case 'strong':
        return <strong key={index}>{inline(node.children)}</strong>;
      case 'em':
        return <em key={index}>{inline(node.children)}</em>;
      case 'link':
        return (
          <a key={index} href={node.href} target="_blank" rel="noopener noreferrer nofollow">
            {node.text}
          </a>
        );
    }
  });
}

/**
 * A message body with its formatting (lib/markup.ts), built from React elements
 * and text nodes only: `<img src=x onerror=alert(1)>` shows as those characters.
 */
export function MessageBody({ body }: { body: string }) {
  return (
    <>
      {parseMarkup(body).map((block, index) =>
        block.type === 'codeblock' ? (
          <pre key={index} className="msg-code" data-lang={block.lang || undefined}>
            <code>{block.text}</code>
          </pre>
        ) : (
          <span key={index}>{inline(block.children)}</span>
        ),
      )}
    </>
  );
}
