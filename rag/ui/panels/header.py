"""The header: the title, a one-line subtitle and the interface-language switch (中文 / English).

The switch's event, which relabels every panel, is wired by :func:`rag.ui.web.build_app`, the one place
that knows all the panels.
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from rag.ui.i18n import t


@dataclass
class Header:
    title: gr.Markdown
    subtitle: gr.Markdown
    lang_radio: gr.Radio

    @classmethod
    def build(cls, lang: str) -> "Header":
        """Lay the header out as one row (inside the current Blocks)."""
        with gr.Row(equal_height=False):
            with gr.Column(scale=5):
                title = gr.Markdown(t("title", lang))
                subtitle = gr.Markdown(t("subtitle", lang), elem_classes=["rag-subtitle"])
            lang_radio = gr.Radio([("中文", "zh"), ("English", "en")], value=lang, label=t("ui_lang", lang),
                                  scale=1, min_width=180, elem_id="rag-lang")
        return cls(title, subtitle, lang_radio)

    def labelled(self) -> list[gr.components.Component]:
        """The components :meth:`relabel` updates, in its order."""
        return [self.title, self.subtitle, self.lang_radio]

    def relabel(self, lang: str) -> list:
        return [t("title", lang), t("subtitle", lang), gr.update(label=t("ui_lang", lang))]
