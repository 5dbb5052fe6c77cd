"""Valid tracking numbers and order IDs for the samples, with the check-digit rules of the public
tracking_number_data specification (jkeen/tracking_number_data, CHECKSUM_ALGORITHMS.md).

Hand-written because the generator must *make* numbers with a given check digit, which a validating library does
not do; tests/test_samples.py checks these functions against the specification's own test numbers.
"""

from __future__ import annotations

import random


def _mod10_check(seq: str, odds_multiplier: int = 1, evens_multiplier: int = 1, reverse: bool = False) -> int:
    chars = list(reversed(seq)) if reverse else list(seq)
    total = 0
    for i, c in enumerate(chars):
        x = int(c) if c.isdigit() else (ord(c) - 3) % 10
        if i % 2 == 1:
            x *= odds_multiplier
        else:
            x *= evens_multiplier
        total += x
    check = total % 10
    return 0 if check == 0 else 10 - check


def _s10_check(serial8: str) -> int:
    total = sum(int(a) * b for a, b in zip(serial8, [8, 6, 4, 2, 3, 5, 9, 7]))
    rem = total % 11
    return 5 if rem == 0 else 0 if rem == 1 else 11 - rem


def _weighted_check(seq: str, weights: list[int], mod1: int = 11, mod2: int = 10) -> int:
    return sum(int(a) * b for a, b in zip(seq, weights)) % mod1 % mod2


# --- validators (used by the tests; the service has its own spec-driven interpreter)

def ups_valid(n: str) -> bool:
    n = n.replace(" ", "")
    return len(n) == 18 and n[:2] == "1Z" and n[-1].isdigit() and _mod10_check(n[2:17], odds_multiplier=2) == int(n[-1])


def usps_impb_valid(n: str) -> bool:
    n = n.replace(" ", "")
    return n.isdigit() and len(n) in (20, 22) and _mod10_check(n[:-1], evens_multiplier=3, reverse=True) == int(n[-1])


def fedex12_valid(n: str) -> bool:
    n = n.replace(" ", "")
    return len(n) == 12 and n.isdigit() and _weighted_check(n[:11], [3, 1, 7] * 4) == int(n[-1])


def dhl10_valid(n: str) -> bool:
    n = n.replace(" ", "")
    return len(n) == 10 and n.isdigit() and int(n[:9]) % 7 == int(n[-1])


def s10_valid(n: str) -> bool:
    n = n.replace(" ", "")
    return (len(n) == 13 and n[:2].isalpha() and n[2:11].isdigit() and n[11:].isalpha()
            and _s10_check(n[2:10]) == int(n[10]))


def tba_valid(n: str) -> bool:
    return len(n) == 15 and n[:3] in ("TBA", "TBC", "TBM") and n[3:].isdigit()


def yunexpress_valid(n: str) -> bool:
    return len(n) == 18 and n.startswith("YT") and n[2:].isdigit()


VALIDATORS = {
    "UPS": ups_valid, "USPS": usps_impb_valid, "FedEx": fedex12_valid, "DHL": dhl10_valid,
    "ChinaPost": s10_valid, "JapanPost": s10_valid, "DeutschePost": s10_valid, "RoyalMail": s10_valid,
    "Yanwen": s10_valid, "AmazonLogistics": tba_valid, "YunExpress": yunexpress_valid,
}


# --- generators

def _digits(rng: random.Random, k: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(k))


def make_ups(rng: random.Random) -> str:
    shipper = "".join(rng.choice("0123456789ABCDEFGHJKRVWXY") for _ in range(6))
    body = shipper + rng.choice(["01", "02", "03", "12", "13", "42"]) + _digits(rng, 7)
    return "1Z" + body + str(_mod10_check(body, odds_multiplier=2))


def make_usps(rng: random.Random) -> str:
    # IMpb 22 digits: 94 + service 3 + 9-digit mailer ID (starts with 9) + 7-digit serial + check
    body = "94" + rng.choice(["001", "055", "001", "053"]) + "9" + _digits(rng, 8) + _digits(rng, 7)
    return body + str(_mod10_check(body, evens_multiplier=3, reverse=True))


def make_fedex(rng: random.Random) -> str:
    body = rng.choice("4567") + _digits(rng, 10)
    return body + str(_weighted_check(body, [3, 1, 7] * 4))


def make_dhl(rng: random.Random) -> str:
    body = rng.choice("123456789") + _digits(rng, 8)
    return body + str(int(body) % 7)


def make_s10(rng: random.Random, service: str, country: str) -> str:
    serial = _digits(rng, 8)
    return f"{service}{serial}{_s10_check(serial)}{country}"


def make_tba(rng: random.Random) -> str:
    return "TBA" + rng.choice("123456789") + _digits(rng, 11)


def make_yunexpress(rng: random.Random) -> str:
    return "YT" + "2" + rng.choice("3456") + _digits(rng, 14)


def make_tracking(rng: random.Random, carrier: str) -> str:
    if carrier == "UPS":
        return make_ups(rng)
    if carrier == "USPS":
        return make_usps(rng)
    if carrier == "FedEx":
        return make_fedex(rng)
    if carrier == "DHL":
        return make_dhl(rng)
    if carrier == "AmazonLogistics":
        return make_tba(rng)
    if carrier == "YunExpress":
        return make_yunexpress(rng)
    if carrier == "ChinaPost":
        return make_s10(rng, rng.choice(["RB", "LX", "RR", "UA"]), "CN")
    if carrier == "JapanPost":
        return make_s10(rng, rng.choice(["LX", "RR", "EJ", "CX"]), "JP")
    if carrier == "DeutschePost":
        return make_s10(rng, rng.choice(["RR", "LX", "RG"]), "DE")
    if carrier == "RoyalMail":
        return make_s10(rng, rng.choice(["RB", "RR", "LX", "TT"]), "GB")
    if carrier == "Yanwen":
        return make_s10(rng, "UG", "YP")
    raise ValueError(carrier)


ORDER_PREFIX = {"US": ["111", "112", "113", "114"], "UK": ["202", "203", "204", "206"],
                "DE": ["302", "303", "304", "306"], "FR": ["402", "403", "405", "407"],
                "JP": ["249", "250", "503"], "CN": ["111", "112", "113", "114"]}


def make_order_id(rng: random.Random, marketplace: str) -> str:
    return f"{rng.choice(ORDER_PREFIX.get(marketplace, ['112']))}-{_digits(rng, 7)}-{_digits(rng, 7)}"


def group_tracking(number: str, carrier: str) -> str:
    """How carriers print long numbers: USPS in groups of 4, UPS as 1Z 999 AA1 01 2345 678 4 on labels."""
    if carrier == "USPS":
        return " ".join(number[i:i + 4] for i in range(0, len(number), 4))
    if carrier == "UPS":
        n = number
        return f"{n[:2]} {n[2:5]} {n[5:8]} {n[8:10]} {n[10:14]} {n[14:17]} {n[17:]}"
    return number
