"""Migrations 12 on: the shop's routines (tags, stock, cameras, notifications, history, fresh food).

Split from ``migrations.py`` by era only; the two run as one sequence.
Never edit a released migration: add the next one here.
"""

from __future__ import annotations

from hub.store.migration import Migration

SHOP_MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        12,
        "tag commissioning: serial ranges allocated per GTIN, never twice, and each EPC's fate (written, not written "
        "and why, sent to a printer)",
        """
        CREATE TABLE tag_allocations (
            id INTEGER PRIMARY KEY, gtin TEXT NOT NULL, scheme TEXT NOT NULL, company_prefix_length INTEGER NOT NULL,
            filter_value INTEGER NOT NULL, first_serial INTEGER NOT NULL, last_serial INTEGER NOT NULL,
            created REAL NOT NULL, created_by TEXT, CHECK (first_serial <= last_serial)
        );
        CREATE INDEX tag_allocations_gtin ON tag_allocations(gtin, first_serial);
        CREATE TABLE tag_serials (
            epc TEXT PRIMARY KEY, allocation INTEGER NOT NULL REFERENCES tag_allocations(id), gtin TEXT NOT NULL,
            serial INTEGER NOT NULL, state TEXT NOT NULL, tag TEXT, reason TEXT, updated REAL NOT NULL,
            UNIQUE (gtin, serial)
        ) WITHOUT ROWID;
        CREATE INDEX tag_serials_allocation ON tag_serials(allocation);
        """,
    ),
    Migration(
        13,
        "stock adjustments (the audit log: reason, who, when, before and after; for a count, when it was counted), "
        "deliveries received against "
        "purchase orders with their lines (short, over, wrong), and stock-takes with their counted entries",
        """
        CREATE TABLE stock_adjustments (
            id INTEGER PRIMARY KEY, time REAL NOT NULL, user TEXT NOT NULL, role TEXT NOT NULL, gtin TEXT NOT NULL,
            reason TEXT NOT NULL, before INTEGER NOT NULL, after INTEGER NOT NULL, delta INTEGER NOT NULL,
            note TEXT NOT NULL DEFAULT '', ref_kind TEXT, ref_id INTEGER, counted_at REAL,
            CHECK (after = before + delta)
        );
        CREATE INDEX stock_adjustments_gtin ON stock_adjustments(gtin, id);
        CREATE INDEX stock_adjustments_time ON stock_adjustments(time);
        CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY, po_id INTEGER NOT NULL, time REAL NOT NULL, user TEXT NOT NULL,
            via TEXT NOT NULL, note TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX deliveries_po ON deliveries(po_id);
        CREATE TABLE delivery_lines (
            delivery_id INTEGER NOT NULL, gtin TEXT NOT NULL, quantity INTEGER NOT NULL, ordered INTEGER NOT NULL,
            received_total INTEGER NOT NULL, status TEXT NOT NULL, PRIMARY KEY (delivery_id, gtin)
        ) WITHOUT ROWID;
        CREATE TABLE stock_counts (
            id INTEGER PRIMARY KEY, scope TEXT NOT NULL, scope_value TEXT NOT NULL DEFAULT '', state TEXT NOT NULL,
            created REAL NOT NULL, created_by TEXT NOT NULL, closed REAL, closed_by TEXT
        );
        CREATE TABLE count_entries (
            count_id INTEGER NOT NULL, gtin TEXT NOT NULL, slot TEXT NOT NULL DEFAULT '', counted INTEGER NOT NULL,
            method TEXT NOT NULL, time REAL NOT NULL, user TEXT NOT NULL, PRIMARY KEY (count_id, gtin, slot)
        ) WITHOUT ROWID;
        CREATE TABLE count_results (
            count_id INTEGER NOT NULL, gtin TEXT NOT NULL, expected INTEGER, counted INTEGER NOT NULL,
            price_cents INTEGER NOT NULL, PRIMARY KEY (count_id, gtin)
        ) WITHOUT ROWID;
        """,
    ),
    Migration(
        14,
        "cameras set from the dashboard: each camera's retained config settings (slots, model offer, stills) as "
        "JSON, its device token for the hub's camera endpoints, and the last still command",
        """
        CREATE TABLE camera_configs (
            camera TEXT PRIMARY KEY, settings TEXT NOT NULL, token TEXT NOT NULL, command TEXT,
            updated REAL NOT NULL, updated_by TEXT
        );
        """,
    ),
    Migration(
        17,
        "notifications of alerts (hub/notify/): every delivery to a channel with its state, tries and last error, "
        "the queue the worker sends from; each channel's health; the last alert id the worker has planned for "
        "(starting at the newest alert: a hub that gains notifications does not send the past); the Home Assistant "
        "discovery topics the hub has published, so that it can remove them (hub/homeassistant/)",
        """
        CREATE TABLE notify_deliveries (
            id INTEGER PRIMARY KEY, alert_id INTEGER NOT NULL, rule TEXT NOT NULL, channel TEXT NOT NULL,
            step TEXT NOT NULL, step_no INTEGER NOT NULL, state TEXT NOT NULL, created REAL NOT NULL,
            due REAL NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, sent_at REAL,
            UNIQUE (alert_id, rule, channel, step, step_no)
        );
        CREATE INDEX notify_deliveries_due ON notify_deliveries(state, due);
        CREATE TABLE notify_channels (
            channel TEXT PRIMARY KEY, state TEXT NOT NULL, since REAL NOT NULL, last_error TEXT,
            last_attempt REAL, last_sent REAL, failures INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE notify_progress (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
        INSERT INTO notify_progress (name, value) SELECT 'alerts', COALESCE(MAX(id), 0) FROM alerts;
        CREATE TABLE homeassistant_topics (topic TEXT PRIMARY KEY, state_topic TEXT);
        """,
    ),
    Migration(
        18,
        "each tag's movements (commissioned, received, zones, sold, left unpaid, returned), written with the batch "
        "that made them, for the item page and the EPCIS export (hub/inventory/tag_history.py); partners' API "
        "tokens, which read EPCIS and nothing else (hub/epcis/partners.py)",
        """
        CREATE TABLE tag_events (
            id INTEGER PRIMARY KEY, epc TEXT NOT NULL, gtin TEXT, kind TEXT NOT NULL, time REAL NOT NULL,
            zone TEXT, zone_kind TEXT, device TEXT, recorded REAL NOT NULL
        );
        CREATE INDEX tag_events_epc ON tag_events(epc, time);
        CREATE INDEX tag_events_time ON tag_events(time);
        CREATE TABLE partner_tokens (
            name TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, created REAL NOT NULL, revoked REAL
        );
        """,
    ),
    Migration(
        19,
        "fresh food (hub/fresh/, issue 21): which products carry a date and what kind (use_by must leave the "
        "shelf, best_before may be sold or given), their cost price; lots with their date and the units of each "
        "the book holds; tags linked to their lot; waste (expired, damaged, donated) valued at cost; markdown "
        "suggestions and what staff decided; the lot a till line sold (from a 2D code at the till) when known",
        """
        ALTER TABLE products ADD COLUMN date_kind TEXT;
        ALTER TABLE products ADD COLUMN cost_cents INTEGER;
        CREATE TABLE lots (
            id INTEGER PRIMARY KEY, gtin TEXT NOT NULL, lot TEXT NOT NULL DEFAULT '', expiry TEXT NOT NULL,
            date_kind TEXT NOT NULL, received REAL NOT NULL, delivery_id INTEGER,
            received_units INTEGER NOT NULL DEFAULT 0, units INTEGER NOT NULL DEFAULT 0, closed REAL,
            UNIQUE (gtin, lot, expiry)
        );
        CREATE INDEX lots_open ON lots(closed, expiry);
        CREATE TABLE lot_tags (epc TEXT PRIMARY KEY, lot_id INTEGER NOT NULL, time REAL NOT NULL);
        CREATE INDEX lot_tags_lot ON lot_tags(lot_id);
        CREATE TABLE waste (
            id INTEGER PRIMARY KEY, time REAL NOT NULL, gtin TEXT NOT NULL, lot_id INTEGER,
            quantity INTEGER NOT NULL, reason TEXT NOT NULL, unit_cost_cents INTEGER, value_cents INTEGER,
            price_cents INTEGER NOT NULL, user TEXT NOT NULL, note TEXT NOT NULL DEFAULT '',
            epcs TEXT NOT NULL DEFAULT '', adjustment_id INTEGER
        );
        CREATE INDEX waste_time ON waste(time);
        CREATE TABLE markdowns (
            id INTEGER PRIMARY KEY, gtin TEXT NOT NULL, lot_id INTEGER NOT NULL, state TEXT NOT NULL,
            created REAL NOT NULL, units INTEGER NOT NULL, regular_cents INTEGER NOT NULL,
            discount_pct INTEGER NOT NULL, price_cents INTEGER NOT NULL, start REAL NOT NULL, end REAL NOT NULL,
            expected_units REAL NOT NULL, expected_cents INTEGER NOT NULL, fallback TEXT NOT NULL,
            fallback_cents INTEGER NOT NULL, why TEXT NOT NULL, decided REAL, decided_by TEXT, printed REAL
        );
        CREATE INDEX markdowns_lot ON markdowns(lot_id, state);
        CREATE INDEX markdowns_state ON markdowns(state, start);
        ALTER TABLE sales ADD COLUMN lot_id INTEGER;
        """,
    ),
)
