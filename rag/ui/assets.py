"""CSS and the citation-click script of the web UI."""

CSS = """
.rag-answer { line-height: 1.7; }
a.cite { display: inline-block; padding: 0 .35em; margin: 0 .1em; border-radius: .5em; font-size: .85em;
         font-weight: 600; text-decoration: none !important; cursor: pointer; vertical-align: baseline;
         background: var(--color-accent-soft, #e0e7ff); color: var(--color-accent, #4f46e5) !important;
         border: 1px solid transparent; }
a.cite:hover, a.cite.active { border-color: var(--color-accent, #4f46e5); }
.rag-sources { margin-top: .6em; padding-top: .4em; border-top: 1px dashed var(--border-color-primary, #ccc);
               font-size: .9em; }
.rag-sources-title { font-weight: 600; margin-bottom: .2em; }
.rag-sources ul { list-style: none; padding-left: 0; margin: 0; }
.rag-sources li { margin: .25em 0; }
.rag-meta { color: var(--body-text-color-subdued, #666); font-size: .92em; }
.rag-quote { color: var(--body-text-color-subdued, #555); font-style: italic; font-size: .92em; }
.rag-score { font-size: .85em; color: #0a7d32; font-family: var(--font-mono, monospace); }
.rag-understood, .rag-warn { font-size: .85em; color: var(--body-text-color-subdued, #666); margin-top: .4em; }
.rag-warn { color: #b45309; }
.rag-passage { padding: .8em 1em; border: 1px solid var(--border-color-primary, #ddd); border-radius: .6em;
               background: var(--block-background-fill, #fff); min-height: 6em; }
.rag-passage-empty { color: var(--body-text-color-subdued, #777); display: flex; align-items: center; }
.rag-doc { font-weight: 700; font-size: 1.05em; }
.rag-n { color: var(--color-accent, #4f46e5); }
.rag-path { font-family: var(--font-mono, monospace); font-size: .8em; color: var(--body-text-color-subdued, #777);
            word-break: break-all; }
.rag-section { margin: .4em 0; font-size: .9em; }
.rag-crumb:not(:last-child)::after { content: " › "; color: #999; }
.rag-where { font-size: .85em; color: var(--body-text-color-subdued, #666); margin-bottom: .5em; }
.rag-text { line-height: 1.8; max-height: 28em; overflow-y: auto; }
.rag-text mark { background: #fde68a; color: inherit; padding: 0 .1em; border-radius: .2em; }
table.rag-docs { width: 100%; border-collapse: collapse; font-size: .92em; border: 0 !important; }
table.rag-docs th, table.rag-docs td { text-align: left; padding: .35em .5em; border: 0 !important;
                                       border-bottom: 1px solid var(--border-color-primary, #ddd) !important; }
table.rag-docs th { font-weight: 600; }
table.rag-docs thead, table.rag-docs tbody, table.rag-docs tr { border: 0 !important; }
table.rag-docs td.num { text-align: right; }
#rag-cite-box, #rag-cite-btn { display: none !important; }
"""

# a capture-phase listener: a click on a citation marker anywhere (chat, source lists) stores its chunk
# id in the hidden textbox and presses the hidden button, whose event fills the passage panel
HEAD = """
<script>
(function () {
  if (window.__ragCiteInstalled) return;
  window.__ragCiteInstalled = true;
  function setBox(id) {
    var box = document.querySelector('#rag-cite-box textarea, #rag-cite-box input');
    if (!box) return false;
    box.value = id;
    box.dispatchEvent(new Event('input', { bubbles: true }));
    return true;
  }
  document.addEventListener('click', function (e) {
    var el = e.target && e.target.closest ? e.target.closest('a.cite, a[href^="#cite-"]') : null;
    if (!el) return;
    e.preventDefault();
    e.stopPropagation();
    var id = el.getAttribute('data-chunk') || decodeURIComponent((el.getAttribute('href') || '').slice(6));
    window.ragCiteKey = id;
    document.querySelectorAll('a.cite.active').forEach(function (a) { a.classList.remove('active'); });
    el.classList.add('active');
    setBox(id);
    setTimeout(function () {
      var btn = document.querySelector('#rag-cite-btn');
      if (btn) btn.click();
    }, 30);
  }, true);
})();
</script>
"""

# runs in the browser before the look-up: take the clicked id even if the textbox did not update
CITE_JS = "(key, ...rest) => [window.ragCiteKey || key, ...rest]"
