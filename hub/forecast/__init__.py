"""Demand forecasting and reorder suggestions.

Daily demand per SKU (:mod:`demand`), its class by ADI and CV² (:mod:`classify`),
candidate ``statsforecast`` models chosen per SKU by a rolling-origin backtest
(:mod:`models`, :mod:`backtest`), quantiles of demand over the protection
interval (:mod:`predict`), the reorder arithmetic (:mod:`policy`), the hub's
suggestions and purchase orders (:mod:`planner`, :mod:`orders`), the API
(:mod:`api`) and ``comptoir forecast`` (:mod:`cli`). See docs/forecasting.md.
"""
