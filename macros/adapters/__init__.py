"""Thin wiring to the outside: the command line and the site generator. Moving to another generator means another module here."""
