"""Versioned schema migrations.

Each migration runs once, in its own transaction, and is recorded in
``schema_migrations``; a database made by an older hub is brought forward at
start. Never edit a released migration: add the next one.
"""

from __future__ import annotations

import time

import sqlite_utils

from hub.store.migration import Migration
from hub.store.migrations_shop import SHOP_MIGRATIONS

_FIRST: tuple[Migration, ...] = (
    Migration(
        1,
        "initial schema",
        """
        CREATE TABLE messages (
            msg_id TEXT PRIMARY KEY, device TEXT NOT NULL, seq INTEGER NOT NULL,
            schema TEXT NOT NULL, time REAL NOT NULL, received REAL NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE dead_letters (
            id INTEGER PRIMARY KEY, topic TEXT NOT NULL, reason TEXT NOT NULL, field TEXT,
            received REAL NOT NULL, size INTEGER NOT NULL, excerpt TEXT NOT NULL
        );
        CREATE TABLE devices (
            device TEXT PRIMARY KEY, kind TEXT, software TEXT, state TEXT NOT NULL DEFAULT 'unknown',
            state_since REAL, last_seen REAL, connection INTEGER, max_seq INTEGER, lost INTEGER NOT NULL DEFAULT 0,
            dropped INTEGER NOT NULL DEFAULT 0, messages INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE products (
            gtin TEXT PRIMARY KEY, name TEXT NOT NULL, brand TEXT NOT NULL, category TEXT NOT NULL,
            price_cents INTEGER NOT NULL, unit_weight_g REAL NOT NULL, aisle TEXT NOT NULL, shelf TEXT NOT NULL,
            pack_size INTEGER NOT NULL, supplier TEXT NOT NULL, lead_time_days INTEGER NOT NULL,
            reorder_point INTEGER
        );
        CREATE INDEX products_name ON products(name);
        CREATE TABLE zones (
            alias TEXT PRIMARY KEY, kind TEXT NOT NULL, reader TEXT, antenna INTEGER
        );
        CREATE TABLE slots (
            slot TEXT PRIMARY KEY, gtin TEXT NOT NULL, camera TEXT, capacity INTEGER NOT NULL, scale TEXT
        );
        CREATE INDEX slots_gtin ON slots(gtin);
        CREATE TABLE items (
            epc TEXT PRIMARY KEY, gtin TEXT, serial TEXT, state TEXT NOT NULL, zone TEXT,
            since REAL NOT NULL, last_seen REAL NOT NULL, paid INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        CREATE INDEX items_gtin ON items(gtin, state);
        CREATE TABLE slot_counts (
            slot TEXT PRIMARY KEY, gtin TEXT, camera TEXT NOT NULL, state TEXT NOT NULL, facings INTEGER,
            capacity INTEGER NOT NULL, confidence REAL NOT NULL, time REAL NOT NULL
        );
        CREATE TABLE scale_counts (
            scale TEXT PRIMARY KEY, slot TEXT, gtin TEXT, status TEXT NOT NULL, grams REAL, units INTEGER,
            stable INTEGER NOT NULL, time REAL NOT NULL
        );
        CREATE TABLE snapshot_counts (
            reader TEXT NOT NULL, zone TEXT NOT NULL, gtin TEXT NOT NULL, count INTEGER NOT NULL, time REAL NOT NULL,
            PRIMARY KEY (reader, zone, gtin)
        ) WITHOUT ROWID;
        CREATE TABLE receipts (
            lane TEXT NOT NULL, receipt_id TEXT NOT NULL, msg_id TEXT NOT NULL, time REAL NOT NULL,
            total_cents INTEGER NOT NULL, currency TEXT NOT NULL, PRIMARY KEY (lane, receipt_id)
        );
        CREATE TABLE sales (
            id INTEGER PRIMARY KEY, lane TEXT NOT NULL, receipt_id TEXT NOT NULL, time REAL NOT NULL,
            gtin TEXT NOT NULL, quantity INTEGER NOT NULL, unit_price_cents INTEGER NOT NULL, tagged INTEGER NOT NULL
        );
        CREATE INDEX sales_gtin_time ON sales(gtin, time);
        CREATE TABLE paid_credits (
            id INTEGER PRIMARY KEY, gtin TEXT NOT NULL, remaining INTEGER NOT NULL, time REAL NOT NULL
        );
        CREATE INDEX paid_credits_gtin ON paid_credits(gtin);
        CREATE TABLE alerts (
            id INTEGER PRIMARY KEY, key TEXT NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL,
            severity TEXT NOT NULL, text TEXT NOT NULL, gtin TEXT, epc TEXT, slot TEXT, device TEXT,
            quantity INTEGER, raised_at REAL NOT NULL, updated_at REAL NOT NULL, resolved_at REAL,
            acknowledged_by TEXT, acknowledged_at REAL
        );
        CREATE UNIQUE INDEX alerts_open_key ON alerts(key) WHERE state = 'open';
        CREATE TABLE users (
            username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL, created REAL NOT NULL
        );
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY, username TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
            created REAL NOT NULL, expires REAL NOT NULL
        );
        """,
    ),
    Migration(
        2,
        "dashboard: who resolved an alert by hand; stock history for the product chart",
        """
        CREATE TABLE alert_resolutions (
            alert INTEGER PRIMARY KEY REFERENCES alerts(id), resolved_by TEXT NOT NULL, resolved_at REAL NOT NULL
        );
        CREATE TABLE stock_history (
            gtin TEXT NOT NULL, time REAL NOT NULL, on_hand INTEGER, backroom INTEGER, floor INTEGER, shelf INTEGER
        );
        CREATE INDEX stock_history_gtin_time ON stock_history(gtin, time);
        """,
    ),
    Migration(
        3,
        "kiosk: intent counts, optional conversation log, consent ledger, loyalty receipts, product vectors",
        """
        CREATE TABLE kiosk_intent_counts (
            day TEXT NOT NULL, intent TEXT NOT NULL, lang TEXT NOT NULL, count INTEGER NOT NULL,
            PRIMARY KEY (day, intent, lang)
        ) WITHOUT ROWID;
        CREATE TABLE kiosk_log (
            id INTEGER PRIMARY KEY, time REAL NOT NULL, kiosk TEXT NOT NULL, lang TEXT NOT NULL,
            intent TEXT NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL
        );
        CREATE INDEX kiosk_log_time ON kiosk_log(time);
        CREATE TABLE consent_ledger (
            id INTEGER PRIMARY KEY, customer_id TEXT NOT NULL, purpose TEXT NOT NULL, action TEXT NOT NULL,
            time REAL NOT NULL, recorded_by TEXT NOT NULL
        );
        CREATE INDEX consent_ledger_customer ON consent_ledger(customer_id, purpose, id);
        CREATE TABLE loyalty_receipts (
            lane TEXT NOT NULL, receipt_id TEXT NOT NULL, customer_id TEXT NOT NULL, time REAL NOT NULL,
            PRIMARY KEY (lane, receipt_id)
        );
        CREATE INDEX loyalty_receipts_customer ON loyalty_receipts(customer_id);
        CREATE TABLE privacy_requests (
            id INTEGER PRIMARY KEY, kind TEXT NOT NULL, time REAL NOT NULL, handled_by TEXT NOT NULL,
            rows INTEGER NOT NULL
        );
        CREATE TABLE product_vectors (
            gtin TEXT PRIMARY KEY, model TEXT NOT NULL, text_hash TEXT NOT NULL, vector BLOB NOT NULL
        );
        """,
    ),
    Migration(
        4,
        "forecast and reorder: forecasts, suggestions, purchase orders, reservations",
        """
        CREATE TABLE forecast_runs (
            id INTEGER PRIMARY KEY, started REAL NOT NULL, seconds REAL NOT NULL, series INTEGER NOT NULL,
            horizon INTEGER NOT NULL, started_by TEXT
        );
        CREATE TABLE forecasts (
            gtin TEXT PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES forecast_runs(id), demand_class TEXT NOT NULL,
            adi REAL, cv2 REAL, model TEXT, mase REAL, mean_daily REAL NOT NULL, protection_days INTEGER NOT NULL,
            demand_quantile REAL NOT NULL, service_level REAL NOT NULL, note TEXT NOT NULL
        );
        CREATE TABLE reorder_suggestions (
            id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL REFERENCES forecast_runs(id), gtin TEXT NOT NULL,
            supplier TEXT NOT NULL, created REAL NOT NULL, state TEXT NOT NULL, suggested_quantity INTEGER NOT NULL,
            quantity INTEGER NOT NULL, pack_size INTEGER NOT NULL, order_by TEXT NOT NULL, reason TEXT NOT NULL,
            on_hand INTEGER, on_order INTEGER NOT NULL, reserved INTEGER NOT NULL, decided_by TEXT, decided_at REAL,
            note TEXT, po_id INTEGER
        );
        CREATE INDEX reorder_suggestions_state ON reorder_suggestions(state, gtin);
        CREATE TABLE purchase_orders (
            id INTEGER PRIMARY KEY, supplier TEXT NOT NULL, state TEXT NOT NULL, created REAL NOT NULL,
            created_by TEXT NOT NULL, closed_at REAL, closed_by TEXT, closed_via TEXT
        );
        CREATE TABLE purchase_order_lines (
            po_id INTEGER NOT NULL REFERENCES purchase_orders(id), gtin TEXT NOT NULL, quantity INTEGER NOT NULL,
            received INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (po_id, gtin)
        ) WITHOUT ROWID;
        CREATE TABLE stock_reservations (
            gtin TEXT PRIMARY KEY, quantity INTEGER NOT NULL, note TEXT NOT NULL, updated REAL NOT NULL,
            updated_by TEXT NOT NULL
        );
        """,
    ),
    Migration(
        5,
        "fusion: readers' claims on a tag survive a restart (the holding claim with the item, the others apart)",
        """
        ALTER TABLE items ADD COLUMN claim_rssi REAL;
        ALTER TABLE items ADD COLUMN claim_time REAL;
        ALTER TABLE items ADD COLUMN claim_reader TEXT;
        ALTER TABLE items ADD COLUMN claim_antenna INTEGER;
        CREATE TABLE item_claims (
            epc TEXT NOT NULL, zone TEXT NOT NULL, rssi REAL, time REAL NOT NULL, reader TEXT NOT NULL,
            antenna INTEGER, PRIMARY KEY (epc, zone)
        ) WITHOUT ROWID;
        """,
    ),
    Migration(
        6,
        "the promotion calendar the forecasts read (past and planned promotions per product)",
        """
        CREATE TABLE promotions (
            id INTEGER PRIMARY KEY, gtin TEXT NOT NULL, first_day TEXT NOT NULL, last_day TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '', created_by TEXT, created REAL NOT NULL,
            CHECK (last_day >= first_day)
        );
        CREATE INDEX promotions_gtin ON promotions(gtin, first_day);
        """,
    ),
    Migration(
        7,
        "accounts: a disabled account cannot sign in (time it was disabled; null: active)",
        """
        ALTER TABLE users ADD COLUMN disabled REAL;
        """,
    ),
    Migration(
        8,
        "what a product's label states (organic, gluten-free, ... 1/0, NULL when the catalog does not say) and "
        "its allergens (';'-separated EU names, '' for none, NULL when not stated), for the kiosk",
        """
        ALTER TABLE products ADD COLUMN organic INTEGER;
        ALTER TABLE products ADD COLUMN gluten_free INTEGER;
        ALTER TABLE products ADD COLUMN lactose_free INTEGER;
        ALTER TABLE products ADD COLUMN vegan INTEGER;
        ALTER TABLE products ADD COLUMN vegetarian INTEGER;
        ALTER TABLE products ADD COLUMN halal INTEGER;
        ALTER TABLE products ADD COLUMN allergens TEXT;
        """,
    ),
    Migration(
        9,
        "texts people read kept as message codes and parameters, said in the reader's language at read time: an "
        "alert's code and JSON parameters; a reorder suggestion's reason figures and its notes (JSON). Older rows "
        "have NULL there and keep their English text",
        """
        ALTER TABLE alerts ADD COLUMN code TEXT;
        ALTER TABLE alerts ADD COLUMN params TEXT;
        ALTER TABLE reorder_suggestions ADD COLUMN reason_facts TEXT;
        ALTER TABLE reorder_suggestions ADD COLUMN notes TEXT;
        """,
    ),
    Migration(
        10,
        "why a device is offline, as its retained status says (a lost reader, a camera stream, a scale unplugged)",
        """
        ALTER TABLE devices ADD COLUMN reason TEXT;
        """,
    ),
)


#: the first era here, the shop-routines era (12 on) in its own file: one sequence
MIGRATIONS: tuple[Migration, ...] = _FIRST + SHOP_MIGRATIONS


def schema_version(db: sqlite_utils.Database) -> int:
    if "schema_migrations" not in db.table_names():
        return 0
    row = db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
    return row[0] or 0


def migrate(db: sqlite_utils.Database, migrations: tuple[Migration, ...] = MIGRATIONS) -> list[int]:
    """Apply the migrations the database has not seen; return their versions."""
    conn = db.conn
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied REAL NOT NULL)"
    )
    current = schema_version(db)
    applied = []
    for migration in sorted(migrations, key=lambda m: m.version):
        if migration.version <= current:
            continue
        with conn:
            conn.execute("BEGIN")
            for statement in _statements(migration.sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)",
                (migration.version, migration.name, time.time()),
            )
        applied.append(migration.version)
    return applied


def _statements(sql: str) -> list[str]:
    return [s.strip() for s in sql.split(";") if s.strip()]
