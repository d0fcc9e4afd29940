#!/usr/bin/env python3
"""Converts Kraken's recorded WebSocket v1 session (../wire-samples/kraken/ws-*-XBT-CHF.jsonl,
cryptofeed's live recording of 2021-04-17) into the WebSocket v2 messages Kraken sends for the
same book and ticker today. See README.md for what is kept and what is derived."""
import json
import sys
import zlib
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parent / "wire-samples" / "kraken"
SYMBOL = "BTC/CHF"  # v1's XBT/CHF: v2 writes the common code


def rfc3339(seconds):
    t = Decimal(seconds)
    whole = int(t)
    micros = int((t - whole) * 1_000_000)
    return datetime.fromtimestamp(whole, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") \
        + ".%06dZ" % micros


def levels(raw):
    # The number's text is v1's string, unchanged: the checksum is over it.
    return "[" + ",".join('{"price":%s,"qty":%s}' % (l[0], l[1]) for l in raw) + "]"


def digits(text):
    return text.replace(".", "").lstrip("0")


def checksum(bids, asks):
    a = sorted(asks.items(), key=lambda e: Decimal(e[0]))[:10]
    b = sorted(bids.items(), key=lambda e: -Decimal(e[0]))[:10]
    s = "".join(digits(p) + digits(q) for p, q in a) + "".join(digits(p) + digits(q) for p, q in b)
    return zlib.crc32(s.encode())


def trim(side, descending, depth=1000):
    for k in sorted(side, key=Decimal, reverse=descending)[depth:]:
        del side[k]


def book():
    out = ['{"method":"subscribe","result":{"channel":"book","depth":1000,"snapshot":true,'
           '"symbol":"%s"},"success":true,"time_in":"2021-04-17T16:48:53.905000Z",'
           '"time_out":"2021-04-17T16:48:53.905100Z","req_id":1}' % SYMBOL]
    bids, asks = {}, {}
    for line in (SAMPLES / "ws-book-1000-XBT-CHF.jsonl").read_text().splitlines():
        m = json.loads(line)
        if isinstance(m, dict):
            continue
        snapshot = any("as" in p or "bs" in p for p in m[1:-2])
        changed_bids, changed_asks, times, given = [], [], [], None
        for part in m[1:-2]:
            for key, side, changed in (("as", asks, changed_asks), ("a", asks, changed_asks),
                                       ("bs", bids, changed_bids), ("b", bids, changed_bids)):
                for l in part.get(key, []):
                    times.append(l[2])
                    changed.append(l)
                    if Decimal(l[1]) == 0:
                        side.pop(l[0], None)
                    else:
                        side[l[0]] = l[1]
            given = part.get("c", given)
        trim(bids, True)
        trim(asks, False)
        ours = checksum(bids, asks)
        if given is not None and int(given) != ours:
            sys.exit("the recording's checksum %s disagrees with the book's %d" % (given, ours))
        out.append('{"channel":"book","type":"%s","data":[{"symbol":"%s","bids":%s,"asks":%s,'
                   '"checksum":%d,"timestamp":"%s"}]}' % (
                       "snapshot" if snapshot else "update", SYMBOL, levels(changed_bids),
                       levels(changed_asks), ours, rfc3339(max(times, key=Decimal))))
    (HERE / "book-1000-BTC-CHF.jsonl").write_text("\n".join(out) + "\n")


def ticker():
    out = []
    for line in (SAMPLES / "ws-ticker-XBT-CHF.jsonl").read_text().splitlines():
        m = json.loads(line)
        if isinstance(m, dict):
            continue
        t = m[1]
        last, open24 = Decimal(t["c"][0]), Decimal(t["o"][1])
        change = last - open24
        out.append('{"channel":"ticker","type":"%s","data":[{"symbol":"%s","bid":%s,'
                   '"bid_qty":%s,"ask":%s,"ask_qty":%s,"last":%s,"volume":%s,"vwap":%s,'
                   '"low":%s,"high":%s,"change":%s,"change_pct":%s}]}' % (
                       "snapshot" if not out else "update", SYMBOL, t["b"][0], t["b"][2],
                       t["a"][0], t["a"][2], t["c"][0], t["v"][1], t["p"][1], t["l"][1],
                       t["h"][1], change, (change / open24 * 100).quantize(Decimal("0.01"))))
    (HERE / "ticker-BTC-CHF.jsonl").write_text("\n".join(out) + "\n")


book()
ticker()
