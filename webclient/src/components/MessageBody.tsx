import type { ReactNode } from 'react';
import { parseMarkup, type Inline } from '../lib/markup';

function inline(nodes: Inline[], tabIndex: number): ReactNode[] {
  return nodes.map((node, index) => {
    switch (node.type) {
      case 'text':
        return node.text;
      case 'code':
        return <code key={index}>{node.text}</code>;
      case 'strong':
        return <strong key={index}>{inline(node.children, tabIndex)}</strong>;
      case 'em':
        return <em key={index}>{inline(node.children, tabIndex)}</em>;
      case 'link':
        return (
          <a
            key={index}
            href={node.href}
            target="_blank"
            rel="noopener noreferrer nofollow"
            tabIndex={tabIndex}
          >
            {node.text}
          </a>
        );
    }
  });
}

/**
 * A message body with its formatting (lib/markup.ts), built from React elements
 * and text nodes only: `<img src=x onerror=alert(1)>` shows as those characters.
 * Its links are in the tab order only while the message is (roving focus).
 */
export function MessageBody({ body, tabbable = true }: { body: string; tabbable?: boolean }) {
  const tabIndex = tabbable ? 0 : -1;
  return (
    <>
      {parseMarkup(body).map((block, index) =>
        block.type === 'codeblock' ? (
          <pre key={index} className="msg-code" data-lang={block.lang || undefined}>
            <code>{block.text}</code>
          </pre>
        ) : (
          <span key={index}>{inline(block.children, tabIndex)}</span>
        ),
      )}
    </>
  );
}
