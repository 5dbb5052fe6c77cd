"""Valid order IDs and tracking numbers for the browser-rendered set, with their check digits computed here.

Written independently of the product's tracking module (the set is meant to judge it): the check-digit rules are
transcribed from the tracking_number_data spec vendored at evidence_svc/data/tracking/ (CHECKSUM_ALGORITHMS.md and
the couriers' JSON; only the spec's data is read, never the product's code), and `self_test()` proves them against
the spec's own `test_numbers` before anything is rendered. Carrier names follow the product's report vocabulary
(evidence_svc/data/tracking/carriers.toml) so facts can be compared; "Yamato" is not in that vocabulary on purpose
(the product reports a Yamato number as carrier "Other"): the set records what a page shows, not what the product
knows.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

SPEC = Path(__file__).resolve().parents[2] / "evidence_svc" / "data" / "tracking" / "couriers"


def order_id(rng: random.Random, prefix: str = "11") -> str:
    """Amazon order ID, 3-7-7 digits. US-style IDs start 111-114, EU 302-306, JP 249-250."""
    head = prefix + str(rng.randint(1, 4)) if len(prefix) == 2 else prefix
    return f"{head}-{rng.randint(0, 9999999):07d}-{rng.randint(0, 9999999):07d}"


# ---------------------------------------------------------------------------------------------- check digits


def mod10(seq: str, evens: int = 1, odds: int = 1, reverse: bool = False) -> int:
    chars = list(reversed(seq)) if reverse else list(seq)
    total = 0
    for i, c in enumerate(chars):
        x = int(c) if c.isdigit() else (ord(c) - 3) % 10
        x *= odds if i % 2 == 1 else evens
        total += x
    check = total % 10
    return 0 if check == 0 else 10 - check


def s10_check(serial8: str) -> int:
    total = sum(int(a) * b for a, b in zip(serial8, [8, 6, 4, 2, 3, 5, 9, 7]))
    r = total % 11
    return 0 if r == 1 else 5 if r == 0 else 11 - r


def fedex12_check(serial11: str) -> int:
    w = [3, 1, 7, 3, 1, 7, 3, 1, 7, 3, 1]
    return sum(int(a) * b for a, b in zip(serial11, w)) % 11 % 10


def _digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


def ups(rng: random.Random) -> str:
    alnum = "0123456789ABCDEFGHJKLMNPRSTVWXY"
    body = "".join(rng.choice(alnum) for _ in range(6)) + rng.choice(["01", "02", "03", "12", "13"]) + _digits(rng, 7)
    return "1Z" + body + str(mod10(body, evens=1, odds=2))


def usps_impb(rng: random.Random) -> str:
    """22-digit IMpb starting 9400 1 / 9405 5 (Priority Mail / Ground Advantage), mod 10 reversed weights 3/1."""
    body = rng.choice(["9400111", "9405511", "9400136"]) + "8" + _digits(rng, 5) + _digits(rng, 8)
    body = body[:21]
    return body + str(mod10(body, evens=3, odds=1, reverse=True))


def fedex12(rng: random.Random) -> str:
    s = rng.choice(["7", "5", "2"]) + _digits(rng, 10)
    return s + str(fedex12_check(s))


def dhl_express(rng: random.Random) -> str:
    s = rng.choice(["1", "3", "4", "5", "8"]) + _digits(rng, 8)
    return s + str(int(s) % 7)


def s10(rng: random.Random, country: str, service: str | None = None) -> str:
    serial = _digits(rng, 8)
    svc = service or rng.choice(["RR", "LX", "CP", "EE", "RA", "LY"])
    return f"{svc}{serial}{s10_check(serial)}{country}"


def yamato(rng: random.Random) -> str:
    """Yamato Transport (ヤマト運輸) 12 digits: the 12th is the first 11 mod 7 (not in the spec)."""
    s = rng.choice(["3", "4", "5"]) + _digits(rng, 10)
    return s + str(int(s) % 7)


def amazon_tba(rng: random.Random) -> str:
    return "TBA" + _digits(rng, 12)


def cainiao(rng: random.Random) -> str:
    return "LP00" + _digits(rng, 12)


def make(rng: random.Random, carrier: str) -> str:
    return {
        "UPS": ups,
        "USPS": usps_impb,
        "FedEx": fedex12,
        "DHL": dhl_express,
        "Yamato": yamato,
        "AmazonLogistics": amazon_tba,
        "Cainiao": cainiao,
        "RoyalMail": lambda r: s10(r, "GB"),
        "DeutschePost": lambda r: s10(r, "DE"),
        "JapanPost": lambda r: s10(r, "JP"),
        "ChinaPost": lambda r: s10(r, "CN", r.choice(["LX", "RB", "EE", "CP"])),
    }[carrier](rng)


def group4(number: str) -> str:
    """How carrier pages print long digit runs: groups of four."""
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


# ---------------------------------------------------------------------------------------------- self-test


def _valid(entry: str, n: str) -> bool:
    n = n.replace(" ", "")
    if entry == "ups":
        return n.startswith("1Z") and mod10(n[2:17], 1, 2) == int(n[17])
    if entry == "usps_impb_n":
        return mod10(n[-22:-1], 3, 1, True) == int(n[-1])
    if entry == "fedex_12":
        return fedex12_check(n[:11]) == int(n[11])
    if entry == "dhl_express":
        return int(n[:-1]) % 7 == int(n[-1])
    if entry == "s10":
        return s10_check(n[2:10]) == int(n[10])
    raise KeyError(entry)


def self_test() -> None:
    """Every generator's rule accepts the spec's valid test numbers and the generated numbers validate."""
    files = {"ups": "ups", "usps_impb_n": "usps", "fedex_12": "fedex", "dhl_express": "dhl", "s10": "s10"}
    for entry, f in files.items():
        spec = json.loads((SPEC / f"{f}.json").read_text(encoding="utf-8"))
        tn = next(t for t in spec["tracking_numbers"] if t.get("id") == entry)
        for v in tn["test_numbers"]["valid"]:
            if entry == "usps_impb_n" and len(v.replace(" ", "")) != 22:
                continue
            assert _valid(entry, v), (entry, v)
    rng = random.Random(7)
    for _ in range(50):
        assert _valid("ups", ups(rng)) and _valid("usps_impb_n", usps_impb(rng))
        assert _valid("fedex_12", fedex12(rng)) and _valid("dhl_express", dhl_express(rng))
        assert _valid("s10", s10(rng, "DE"))
        assert len(usps_impb(rng)) == 22


if __name__ == "__main__":
    self_test()
    print("ok")
