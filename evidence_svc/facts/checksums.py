"""The check-digit algorithms of the tracking_number_data specification (its CHECKSUM_ALGORITHMS.md).

Each function takes the serial number, the printed check digit and the entry's `validation.checksum` options,
and says whether they agree. Written out by hand because no maintained Python package implements the
specification's parameterised versions (weights, multipliers, reversal). `luhn` follows the specification's
reference implementation, which the document itself does not list.
"""

from __future__ import annotations

from typing import Any


def _mod10(seq: str, check: str, opts: dict[str, Any]) -> bool:
    chars = seq[::-1] if opts.get("reverse") else seq
    total = 0
    for i, c in enumerate(chars):
        x = int(c) if c.isdigit() else (ord(c) - 3) % 10
        if opts.get("odds_multiplier") and i % 2 == 1:
            x *= int(opts["odds_multiplier"])
        elif opts.get("evens_multiplier") and i % 2 == 0:
            x *= int(opts["evens_multiplier"])
        total += x
    cd = total % 10
    cd = 10 - cd if cd else 0
    return check.isdigit() and cd == int(check)


def _mod7(seq: str, check: str, opts: dict[str, Any]) -> bool:
    return seq.isdigit() and check.isdigit() and int(seq) % 7 == int(check)


def _s10(seq: str, check: str, opts: dict[str, Any]) -> bool:
    weights = opts.get("weightings") or [8, 6, 4, 2, 3, 5, 9, 7]
    if not seq.isdigit() or not check.isdigit():
        return False
    r = sum(int(a) * b for a, b in zip(seq, weights)) % 11
    cd = 0 if r == 1 else 5 if r == 0 else 11 - r
    return cd == int(check)


def _sum_product(seq: str, check: str, opts: dict[str, Any]) -> bool:
    if not seq.isdigit() or not check.isdigit():
        return False
    total = sum(int(a) * b for a, b in zip(seq, opts.get("weightings") or []))
    return total % opts["modulo1"] % opts["modulo2"] == int(check)


def _luhn(seq: str, check: str, opts: dict[str, Any]) -> bool:
    if not seq.isdigit() or not check.isdigit():
        return False
    total = 0
    for i, c in enumerate(reversed(seq)):
        x = int(c) * (2 if i % 2 == 0 else 1)
        total += x - 9 if x > 9 else x
    cd = total % 10
    return (10 - cd if cd else 0) == int(check)


def _mod_37_36(seq: str, check: str, opts: dict[str, Any]) -> bool:
    alphabet = opts.get("alphabet") or "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    mod = 36
    cd = mod
    for ch in seq:
        if ch not in alphabet:
            return False
        cd += alphabet.index(ch)
        if cd > mod:
            cd -= mod
        cd *= 2
        if cd > mod:
            cd -= mod + 1
    cd = mod + 1 - cd
    if cd == mod:
        cd = 0
    return alphabet[cd] == check


CHECKSUMS = {
    "mod10": _mod10, "mod7": _mod7, "s10": _s10, "sum_product_with_weightings_and_modulo": _sum_product,
    "luhn": _luhn, "mod_37_36": _mod_37_36,
}
