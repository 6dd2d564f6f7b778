"""Interface labels in Chinese and English (answers follow the question's language, not these)."""

from __future__ import annotations

LANGS = ("zh", "en")

TEXT: dict[str, dict[str, str]] = {
    "title": {"zh": "## 中文文档问答 · rag-zh", "en": "## Chinese document Q&A · rag-zh"},
    "subtitle": {
        "zh": "用中文或英文提问；答案附带可点击的引用 [n]，点击即可在右侧查看原文。",
        "en": "Ask in Chinese or English; answers carry clickable citations [n] — click one to see the passage.",
    },
    "ui_lang": {"zh": "界面语言", "en": "Interface language"},
    "tab_chat": {"zh": "问答", "en": "Chat"},
    "tab_docs": {"zh": "文档", "en": "Documents"},
    "chatbot": {"zh": "对话", "en": "Conversation"},
    "placeholder": {
        "zh": "用中文或英文提问，例如：2024年的收入目标是多少？ / What is the 2024 revenue target?",
        "en": "Ask in English or Chinese, e.g. What is the 2024 revenue target? / 2024年的收入目标是多少？",
    },
    "question": {"zh": "问题", "en": "Question"},
    "send": {"zh": "发送", "en": "Send"},
    "clear": {"zh": "新对话", "en": "New chat"},
    "passage": {"zh": "引用原文", "en": "Cited passage"},
    "passage_empty": {"zh": "点击答案中的引用标记 [n] 查看原文段落。", "en": "Click a citation [n] in an answer to see the passage here."},
    "passage_missing": {"zh": "找不到该段落（索引可能已更新）。", "en": "Passage not found (the index may have changed)."},
    "settings": {"zh": "设置", "en": "Settings"},
    "index": {"zh": "索引", "en": "Index"},
    "topk": {"zh": "检索段落数 (top-k)", "en": "Passages retrieved (top-k)"},
    "backend": {"zh": "回答方式", "en": "Answer backend"},
    "backend_info_none": {"zh": "未配置大模型（设置 RAG_LLM 等环境变量后启用）", "en": "No LLM configured (set RAG_LLM etc. to enable one)"},
    "backend_info": {"zh": "offline = 离线抽取式回答", "en": "offline = extractive, no model"},
    "scores": {"zh": "显示检索分数", "en": "Show retrieval scores"},
    "upload": {"zh": "上传文档（.txt .md .pdf .docx .html）", "en": "Upload documents (.txt .md .pdf .docx .html)"},
    "upload_btn": {"zh": "上传并建立索引", "en": "Upload and index"},
    "docs_list": {"zh": "已索引的文档", "en": "Indexed documents"},
    "delete_pick": {"zh": "选择要删除的文档", "en": "Document to delete"},
    "delete_btn": {"zh": "删除文档", "en": "Delete document"},
    "refresh": {"zh": "刷新", "en": "Refresh"},
    "status": {"zh": "状态", "en": "Status"},
    "limit": {"zh": "每个文件最大 {mb:g} MB；文件会复制到索引的上传目录后增量索引。",
              "en": "Up to {mb:g} MB per file; files are copied into the index's uploads folder and indexed incrementally."},
    # document table
    "col_title": {"zh": "标题", "en": "Title"},
    "col_file": {"zh": "文件", "en": "File"},
    "col_chunks": {"zh": "段落数", "en": "Passages"},
    "col_source": {"zh": "来源", "en": "Source"},
    "uploaded": {"zh": "上传", "en": "uploaded"},
    "local": {"zh": "本地", "en": "local"},
    "no_docs": {"zh": "索引 “{index}” 中还没有文档。", "en": "Index '{index}' has no documents yet."},
    # status messages
    "no_files": {"zh": "请先选择要上传的文件。", "en": "Choose files to upload first."},
    "added": {"zh": "✔ 已索引：{names}", "en": "✔ Indexed: {names}"},
    "rejected": {"zh": "✖ 未接受：{name} — {reason}", "en": "✖ Rejected: {name} — {reason}"},
    "deleted": {"zh": "✔ 已删除：{name}", "en": "✔ Deleted: {name}"},
    "pick_doc": {"zh": "请先选择要删除的文档。", "en": "Choose a document to delete first."},
    "error": {"zh": "⚠ 出错：{msg}", "en": "⚠ Error: {msg}"},
    "q_too_long": {"zh": "问题太长：{n} 个字符（上限 {limit} 个），请缩短后再问。",
                   "en": "Question too long: {n} characters (limit {limit}); please shorten it."},
    "empty_index": {"zh": "索引 “{index}” 还不存在：请先在“文档”页上传文件。",
                    "en": "Index '{index}' does not exist yet: upload files in the Documents tab first."},
    "examples": {"zh": "示例问题", "en": "Example questions"},
    "understood": {"zh": "理解为：{q}", "en": "Understood as: {q}"},
}

# answer-language strings (chosen by the answer's language, not the interface's)
ANSWER_TEXT: dict[str, dict[str, str]] = {
    "sources": {"zh": "来源", "en": "Sources"},
    "closest": {"zh": "最接近的段落", "en": "Closest passages"},
    "lines": {"zh": "第 {a}–{b} 行", "en": "lines {a}–{b}"},
    "line": {"zh": "第 {a} 行", "en": "line {a}"},
    "page": {"zh": "第 {p} 页", "en": "p. {p}"},
    "unsupported": {"zh": "⚠ 以下内容未得到引用段落的支持：", "en": "⚠ Not supported by the cited passages: "},
    "score": {"zh": "分数", "en": "score"},
}


def ui_text(key: str, lang: str, **kw) -> str:
    """The interface string ``key`` in ``lang`` (English when it has no translation), formatted with ``kw``."""
    entry = TEXT.get(key) or ANSWER_TEXT[key]
    s = entry.get(lang) or entry["en"]
    return s.format(**kw) if kw else s


def answer_text(key: str, lang: str, **kw) -> str:
    """A string of an answer's rendering (citations, line and page labels) in ``lang``, formatted with ``kw``."""
    s = ANSWER_TEXT[key].get(lang) or ANSWER_TEXT[key]["en"]
    return s.format(**kw) if kw else s


t = ui_text  # the short, gettext-style name the panels use at their many call sites
