"""What the portal produces: pages (Jinja templates), Word copies, PDFs and the search index."""
