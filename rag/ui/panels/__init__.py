"""The web UI's panels, one module each; :func:`rag.ui.web.build_app` lays them out and wires them.

==================  ==========================================================  ==========================
module              what it shows                                               public API endpoints
==================  ==========================================================  ==========================
``header``          title, subtitle, interface-language switch                  ``/ui_language`` (web.py)
``chat``            the conversation, question box, send / new chat, examples   ``/ask``, ``/new_chat``
``passage``         the cited passage a click on ``[n]`` opens (sources panel)  ``/passage``
``settings``        index selector, top-k, answer backend, scores               (inputs of the others)
``documents``       upload, document list, delete (the Documents tab)           ``/upload``, ``/delete_doc``,
                                                                                ``/documents``
``common``          per-session state, index name, document table and choices   --
==================  ==========================================================  ==========================

Each panel is a dataclass of its components with ``build(...)`` (lays it out inside the current Gradio
context), ``labelled()`` and ``relabel(lang, ...)`` (the components a language switch updates, and their
updates, in the same order), and a ``wire_*`` function that registers its events. To add a panel: write
its module the same way, build it in ``build_app`` where it should appear, wire it there, and add its
``labelled()``/``relabel()`` to the language switch. Every module here imports Gradio.
"""
