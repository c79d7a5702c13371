"""The numbers slice: the shop's figures over a period as JSON, the weekly report as CSV and PDF, the /numbers page.

The figures live in the core (``hub/kpis/``); this slice reads the period from the request, says the figures in
the reader's language and turns a period that cannot be read into a 422 naming the field.
"""
