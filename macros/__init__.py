"""The portal's Python, by layer; each layer imports only from the layers above it in this list.

- ``model``: reading a meeting file strictly and validating it into records (no pages, no MkDocs).
- ``rules``: what the rules of a 民主生活会 derive from one meeting's facts.
- ``outputs``: pages, Word copies, PDFs and the search index made from the model and the rules.
- ``adapters``: the command line, the site generator (MkDocs or ProperDocs) and its hooks.
"""
