"""The shop's numbers (issue 21): each figure over a period of shop days, from the hub's own records.

One function per figure (``money.py``, ``stock.py``, ``forecast_accuracy.py``), each returning a
:class:`hub.kpis.period.Figure`: its value and the counts it is made of, so a reader can check it. The
definitions are the docstrings and ``docs/kpis.md``; ``report.py`` gathers them for the API, the
``/numbers`` page and the weekly CSV/PDF (``export.py``). Domain code: no FastAPI here.
"""
