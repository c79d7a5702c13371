"""GS1 EPCIS 2.0: the tags' movements (hub/inventory/tag_history.py) as ObjectEvents in JSON-LD, and partners' tokens.

``identifiers`` turns the shop's GLN and zones into SGLN URNs and items into
EPC URIs; ``vocabulary`` maps each movement to CBV words; ``document``
builds the events and documents; ``query`` selects movements with the EPCIS
query parameters; ``partners`` keeps the API tokens that read EPCIS and
nothing else (docs/integrations.md, "EPCIS 2.0").
"""
