"""The settings accordion: the index selector, top-k, the answer backend and the score switch.

The backends offered are offline plus the one LLM the server was configured with (if any):

>>> from rag.config import Config
>>> backends(Config()), backends(Config(llm="ollama"))
(['offline'], ['offline', 'ollama'])
"""

from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from rag.config import Config
from rag.ui.engine import Engine
from rag.ui.i18n import t

OFFLINE = "offline"


def backends(cfg: Config) -> list[str]:
    """The answer backends a user can choose: offline, and ``cfg.llm`` when one is configured."""
    return [OFFLINE] + ([cfg.llm] if cfg.llm != OFFLINE else [])


@dataclass
class SettingsPanel:
    accordion: gr.Accordion
    index: gr.Dropdown  # the index asked and shown (also drives the Documents tab)
    topk: gr.Slider
    backend: gr.Radio
    scores: gr.Checkbox
    n_backends: int

    @classmethod
    def build(cls, engine: Engine, lang: str) -> "SettingsPanel":
        """Lay the accordion out (inside the current column). An index named in the config but not
        built yet is offered too: an upload creates it."""
        cfg = engine.cfg
        offered = backends(cfg)
        indexes = engine.indexes()
        if cfg.index_name not in indexes:
            indexes.insert(0, cfg.index_name)
        with gr.Accordion(t("settings", lang), open=True) as accordion:
            index = gr.Dropdown(indexes, value=cfg.index_name, label=t("index", lang), allow_custom_value=True,
                                elem_id="rag-index")
            topk = gr.Slider(1, 10, value=cfg.answer_passages, step=1, label=t("topk", lang), elem_id="rag-topk")
            backend = gr.Radio(offered, value=cfg.llm if cfg.llm in offered else OFFLINE, label=t("backend", lang),
                               elem_id="rag-backend", info=_backend_info(len(offered), lang))
            scores = gr.Checkbox(False, label=t("scores", lang), elem_id="rag-scores")
        return cls(accordion, index, topk, backend, scores, len(offered))

    def labelled(self) -> list[gr.components.Component]:
        """The components :meth:`relabel` updates, in its order."""
        return [self.accordion, self.index, self.topk, self.backend, self.scores]

    def relabel(self, lang: str) -> list:
        return [gr.update(label=t("settings", lang)), gr.update(label=t("index", lang)),
                gr.update(label=t("topk", lang)),
                gr.update(label=t("backend", lang), info=_backend_info(self.n_backends, lang)),
                gr.update(label=t("scores", lang))]


def _backend_info(n_backends: int, lang: str) -> str:
    return t("backend_info" if n_backends > 1 else "backend_info_none", lang)
