#!/usr/bin/env python3
"""What one order line's move costs SQLite itself, statement by statement (issue 18, benchmark 2).

A model, not the benchmark: the statements the store writer runs for a line's answer and its
acceptance, issued from Python's sqlite3 (the same SQLite library family, no Orleans, no .NET) on a
schema built from deploy/sql/sqlite, beside the plain insert of the same lines. Each variant leaves
one part out, so the difference is that part's cost. Foreign keys are off in every variant (the
plain insert would pay for six lookups per line with them on). Groups of 8 hospitals (440 lines)
per commit, WAL, synchronous=FULL, as the store writes.

    python3 line_moves.py [--hospitals 600] [--reps 3] [--clock cpu|wall] [--upto 0029] [--random-ids]

--clock cpu (default) times the process's CPU, which a machine loaded by other work disturbs
little; wall adds the commits' fsync and WAL writes. --upto builds the schema from the migrations
up to that number only (0029: before migration 0030), to compare schemas.
Prints microseconds per line and each variant's share of the plain insert.
"""
import argparse, hashlib, json, os, shutil, sqlite3, tempfile, time, uuid

here = os.path.dirname(os.path.abspath(__file__))
scripts = os.path.join(here, '..', '..', '..', 'deploy', 'sql', 'sqlite')
ap = argparse.ArgumentParser()
ap.add_argument('--hospitals', type=int, default=600)
ap.add_argument('--reps', type=int, default=3)
ap.add_argument('--clock', choices=['cpu', 'wall'], default='cpu')
ap.add_argument('--upto', default='9999')
ap.add_argument('--random-ids', action='store_true', help='random order ids (before session 17) instead of time-ordered ones')
args = ap.parse_args()
clk = time.process_time if args.clock == 'cpu' else time.perf_counter
P = 55
work = tempfile.mkdtemp(prefix='line-moves-')
schema = os.path.join(work, 'schema.db')
with sqlite3.connect(schema) as c:
    for name in sorted(f for f in os.listdir(scripts) if f.endswith('.sql') and f[:4] <= args.upto):
        c.executescript(open(os.path.join(scripts, name), encoding='utf-8').read())
conns = []

def open_copy(name, source):
    for x in conns:
        x.close()
    conns.clear()
    path = os.path.join(work, name)
    for suffix in ['', '-wal', '-shm']:
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    shutil.copy(source, path)
    c = sqlite3.connect(path, isolation_level=None)
    conns.append(c)
    for pragma in ['journal_mode=WAL', 'synchronous=FULL', 'cache_size=-65536', 'temp_store=MEMORY', 'foreign_keys=OFF']:
        c.execute('PRAGMA ' + pragma)
    return c, path

LINE = """INSERT INTO order_lines (order_id, line_no, hospital_id, region_code, product_id, manufacturer_id, kind, agreement_id, year_start, alliance_id,
 quantity, surplus_units, unit_price_e6, delivery_point, urgency, substitute_reason, state, placed_at, respond_by, deliver_by, month)
 VALUES (?,?,?,?,?,?,0,?,24324,'ALLIANCE',?,0,400000,'Central pharmacy',0,NULL,?,'2027-04-20T02:00:00.0000000+00:00','2037-04-21T02:00:00.0000000+00:00','2037-04-21T02:00:00.0000000+00:00',24327)"""
DELIVERY = """INSERT INTO deliveries (delivery_id, order_id, line_no, hospital_id, manufacturer_id, shipped_by, lot_number, expiry_date, quantity, unit_price_e6, shipped_at, accept_by, state)
 VALUES (?,?,?,?,?,?,'LOT',20000,?,400000,'2027-04-20T05:00:00.0000000+00:00','2027-04-23T05:00:00.0000000+00:00',0)"""
REQUEST = "INSERT INTO order_requests (hospital_id, actor_id, request_id, kind, entity_id) VALUES (?,?,?,?,?)"
EVENT = "INSERT INTO events (event_id, occurred_at, actor, batch_id, entity_type, entity_id, event_type, payload, chain_seq, chain_hash) VALUES (?,?,?,?,?,?,?,?,?,?)"
ANSWER = "UPDATE order_lines SET state = 1, responded_at = ?, refusal_reason = NULL, response_seconds = ? WHERE order_id = ? AND line_no = ? AND state = 0"
DECIDE = "UPDATE deliveries SET state = 1, accepted_units = ?, decided_at = ?, rejection = NULL, note = NULL, deemed = 0 WHERE delivery_id = ? AND state = 0"
SETTLE = """UPDATE order_lines SET shipped_units = shipped_units - ?, accepted_units = accepted_units + ?,
               state = CASE WHEN ? = 1 THEN 4 ELSE state END, delivered_on_time = CASE WHEN ? = 1 THEN 1 ELSE delivered_on_time END
         WHERE order_id = ? AND line_no = ? AND (? = 0 OR state = 1)"""
PURCHASE = """INSERT INTO platform_purchases (agreement_id, hospital_id, month, classification, units, amount_e6) VALUES (?,?,?,?,?,?)
 ON CONFLICT (agreement_id, hospital_id, month, classification) DO UPDATE SET units = platform_purchases.units + excluded.units, amount_e6 = platform_purchases.amount_e6 + excluded.amount_e6"""
# The platform's order ids are time-ordered (UUID v7, session 17): ids sorted in the order of use stand in for them.
orders = [str(uuid.uuid4()) for _ in range(args.hospitals)]
if not args.random_ids:
    orders.sort()
rows = args.hospitals * P

def plain(c, state=0):
    start = clk()
    c.execute('BEGIN IMMEDIATE')
    for h, order in enumerate(orders):
        c.execute("INSERT INTO orders (order_id, hospital_id, request_id, placed_at, placed_by) VALUES (?,?,?,?, 'plain')", (order, f'H{h:06}', f'o-{h}', '2027'))
        for n in range(1, P + 1):
            c.execute(LINE, (order, n, f'H{h:06}', f'R{h % 31:02}', f'P{n:03}', f'M{n:03}', f'A{h % 31}-{n}', 800 + n, state))
    c.execute('COMMIT')
    return clk() - start

def base(state, shipped):
    c, path = open_copy(f'base-{state}.db', schema)
    c.execute('DROP TRIGGER order_lines_figures_placed')
    plain(c, state)
    c.execute('BEGIN')
    if shipped:
        for h, order in enumerate(orders):
            for n in range(1, P + 1):
                c.execute(DELIVERY, (f'{order}-{n}', order, n, f'H{h:06}', f'M{n:03}', f'D-R{h % 31:02}', 800 + n))
        c.execute('UPDATE order_lines SET shipped_units = quantity')
    c.execute("INSERT INTO order_supply_figures SELECT 'ALLIANCE', 24327, 'M'||substr(product_id,2), region_code, product_id,0,0,0,0,0 FROM order_lines GROUP BY region_code, product_id")
    c.execute("INSERT OR IGNORE INTO order_hospital_figures SELECT hospital_id, 24327, 'ALLIANCE',0,0,0,0,0,0,0 FROM order_lines GROUP BY hospital_id")
    c.execute('COMMIT')
    c.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    return path

def event(c, id, entity, kind, payload):
    text = json.dumps(payload)
    c.execute(EVENT, (id, '2027-04-21T02:00:00.0000000+00:00', 'actor', None, kind[0], entity, kind[1], text, id, hashlib.sha256(text.encode()).hexdigest()))

def answer(c, request=True, update=True, events=True):
    start, id = clk(), 0
    for g in range(0, len(orders), 8):
        c.execute('BEGIN IMMEDIATE')
        for h in range(g, min(g + 8, len(orders))):
            for n in range(1, P + 1):
                order = orders[h]
                if request: c.execute(REQUEST, (f'H{h:06}', f'D-R{h % 31:02}', f'c-{h}-{n}', 'response', f'{order}/{n}'))
                if update: assert c.execute(ANSWER, ('2027-04-20T03:00:00.0000000+00:00', 3600, order, n)).rowcount == 1
                if events:
                    id += 1
                    event(c, id, f'{order}/{n}', ('order-line', 'OrderLineConfirmed'), {'SupplierId': f'D-R{h % 31:02}', 'Reason': None})
        c.execute('COMMIT')
    return clk() - start

def accept(c, request=True, decide=True, settle=True, events=True, purchases=True):
    start, id = clk(), 0
    for g in range(0, len(orders), 8):
        c.execute('BEGIN IMMEDIATE')
        for h in range(g, min(g + 8, len(orders))):
            order = orders[h]
            for n in range(1, P + 1):
                if request: c.execute(REQUEST, (f'H{h:06}', f'H{h:06}', f'a-{h}-{n}', 'decision', f'{order}-{n}'))
                if decide: assert c.execute(DECIDE, (800 + n, '2027-04-21T02:00:00.0000000+00:00', f'{order}-{n}')).rowcount == 1
                if settle: assert c.execute(SETTLE, (0, 800 + n, 1, 1, order, n, 1)).rowcount == 1
                if events:
                    id += 1
                    event(c, id, f'{order}-{n}', ('delivery', 'DeliveryAccepted'), {'AcceptedUnits': 800 + n, 'Rejection': None, 'Note': None, 'InvoiceDueAt': '2027-05-21T02:00:00+00:00'})
            if purchases:
                for n in range(1, P + 1):
                    c.execute(PURCHASE, (f'A{h % 31}-{n}', f'H{h:06}', 24327, 0, 800 + n, (800 + n) * 400000))
        c.execute('COMMIT')
    return clk() - start

placed, shipped = base(0, False), base(1, True)
no_moved = ['DROP TRIGGER order_lines_figures_moved']
variants = [
    ('plain insert (figures trigger dropped)', None, None, {}, []),
    ('answer: all', placed, answer, {}, []),
    ('answer: without its request row', placed, answer, {'request': False}, []),
    ('answer: without its line update', placed, answer, {'update': False}, []),
    ('answer: without its event', placed, answer, {'events': False}, []),
    ('accept: all', shipped, accept, {}, []),
    ('accept: without its request row', shipped, accept, {'request': False}, []),
    ('accept: without the delivery update', shipped, accept, {'decide': False}, []),
    ('accept: without the line update', shipped, accept, {'settle': False}, []),
    ('accept: the line update without the moved trigger', shipped, accept, {}, no_moved),
    ('accept: without its event', shipped, accept, {'events': False}, []),
    ('accept: without the platform purchases', shipped, accept, {'purchases': False}, []),
    ('accept: without ix_order_lines_unfulfilled', shipped, accept, {}, ['DROP INDEX ix_order_lines_unfulfilled']),
    # Session 19: what no design that keeps the state machines can leave out, each move's
    # change of state and its own event (no request row, no kept figures, no platform purchases).
    ('answer: the move and its event only', placed, answer, {'request': False}, []),
    ('accept: the moves and the event only', shipped, accept, {'request': False, 'purchases': False}, no_moved),
]
best = {}
for _ in range(args.reps):
    for name, source, run, kwargs, drops in variants:
        if run is None:
            c, _path = open_copy('plain.db', schema)
            c.execute('DROP TRIGGER order_lines_figures_placed')
            for statement in drops:
                c.execute(statement)
            took = plain(c)
        else:
            c, _path = open_copy('moves.db', source)
            for statement in drops:
                c.execute(statement)
            took = run(c, **kwargs)
        best[name] = min(best.get(name, 1e9), took)
print(f'SQLite {sqlite3.sqlite_version}, {args.hospitals} hospitals x {P} lines, {args.clock} time, best of {args.reps}, migrations up to {args.upto}, {"random" if args.random_ids else "time-ordered"} order ids')
for name, *_ in variants:
    share = best[variants[0][0]] / best[name]
    print(f'{name:52} {best[name] / rows * 1e6:7.1f} us/line  {share:5.0%} of plain')
for x in conns:
    x.close()
shutil.rmtree(work)
