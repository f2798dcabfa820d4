// Tiny DOM helpers. Nothing here parses HTML: children are nodes or strings, and strings become
// text nodes, so bot and coordinator text (untrusted) can never become markup.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === false || value == null) continue;
    if (name === 'class') el.className = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child != null && child !== false) el.append(child);
  return el;
}

// A message's text as paragraphs: a newline is a line break, a blank line starts a new
// paragraph, and lines starting with "- " become a bulleted list (the bot sends its reasons so).
export function textBlock(text) {
  const frag = document.createDocumentFragment();
  let para = null;
  let list = null;
  for (const line of String(text).split(/\r\n|\r|\n/)) {
    if (line.startsWith('- ')) {
      if (!list) frag.append((list = h('ul')));
      list.append(h('li', null, line.slice(2)));
      para = null;
      continue;
    }
    list = null;
    if (line.trim() === '') {
      para = null;
      continue;
    }
    if (para) para.append(h('br'), line);
    else frag.append((para = h('p', null, line)));
  }
  return frag;
}
