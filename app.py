"""Web UI: ``python app.py`` opens a chat over the default index on http://127.0.0.1:7860.

Flags: --host, --port, --auth user:password (or env RAG_AUTH), --index, --index-dir, --llm ...
(``python app.py --help``). The same server runs as ``rag serve``.
"""

import sys

from rag.cli import app_main as main

if __name__ == "__main__":
    sys.exit(main())
