"""Check-digit arithmetic the simulator needs: Finnish and RF payment references,
IBANs and Finnish business ids (Y-tunnus).

Pure functions, no state. Used to validate what clients send
(API_NOTES §4.2 ``bankReferenceCode``) and to build valid seed data.
"""

import string

_FI_WEIGHTS = (7, 3, 1)
_YTUNNUS_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def _alnum_to_digits(text):
    """Letters become two-digit numbers (A=10 … Z=35), as ISO 7064 mod 97-10 wants."""
    return "".join(str(int(ch, 36)) for ch in text)


# --- Finnish domestic reference (viitenumero), 7-3-1 check digit -------------------


def finnish_reference_check_digit(base):
    """Check digit for a Finnish reference base (digits only, 3-19 of them)."""
    if not base.isdigit():
        raise ValueError("a Finnish reference base is digits only")
    total = sum(
        int(digit) * _FI_WEIGHTS[i % 3] for i, digit in enumerate(reversed(base))
    )
    return str((10 - total % 10) % 10)


def make_finnish_reference(base):
    """``base`` plus its 7-3-1 check digit."""
    base = str(base)
    return base + finnish_reference_check_digit(base)


def is_valid_finnish_reference(reference):
    """4-20 digits (spaces allowed), last one the 7-3-1 check digit of the rest."""
    compact = reference.replace(" ", "")
    if not compact.isdigit() or not 4 <= len(compact) <= 20:
        return False
    return finnish_reference_check_digit(compact[:-1]) == compact[-1]


# --- International RF creditor reference (ISO 11649, mod 97) -------------------


def make_rf_reference(base):
    """RF reference for an alphanumeric ``base`` (1-21 characters)."""
    base = str(base).replace(" ", "").upper()
    check = 98 - int(_alnum_to_digits(base + "RF00")) % 97
    return f"RF{check:02d}{base}"


def is_valid_rf_reference(reference):
    """``RFkk`` + 1-21 alphanumerics whose ISO 11649 mod-97 remainder is 1."""
    compact = reference.replace(" ", "").upper()
    if not compact.startswith("RF") or not 5 <= len(compact) <= 25:
        return False
    if not all(ch in string.ascii_uppercase + string.digits for ch in compact):
        return False
    if not compact[2:4].isdigit():
        return False
    return int(_alnum_to_digits(compact[4:] + compact[:4])) % 97 == 1


def is_valid_reference(reference):
    """A reference Procountor would accept in a Finnish environment (FI or RF)."""
    compact = reference.replace(" ", "").upper()
    if compact.startswith("RF"):
        return is_valid_rf_reference(compact)
    return is_valid_finnish_reference(compact)


# --- IBAN ----------------------------------------------------------------------------


def make_iban(country, bban):
    """IBAN with computed check digits, e.g. ``make_iban("FI", "12345600000785")``."""
    country = country.upper()
    check = 98 - int(_alnum_to_digits(bban + country + "00")) % 97
    return f"{country}{check:02d}{bban}"


def is_valid_iban(iban):
    compact = iban.replace(" ", "").upper()
    if len(compact) < 15 or not compact[:2].isalpha() or not compact[2:4].isdigit():
        return False
    if not compact.isalnum():
        return False
    return int(_alnum_to_digits(compact[4:] + compact[:4])) % 97 == 1


# --- Finnish business id (Y-tunnus) --------------------------------------------------


def ytunnus_check_digit(base):
    """Check digit for a 7-digit Y-tunnus base, or None if that base can't have one."""
    total = sum(
        int(digit) * weight
        for digit, weight in zip(base, _YTUNNUS_WEIGHTS, strict=True)
    )
    remainder = total % 11
    if remainder == 0:
        return "0"
    if remainder == 1:
        return None  # such numbers are never issued
    return str(11 - remainder)


def make_ytunnus(number):
    """Y-tunnus ``NNNNNNN-C`` for a 7-digit number; None when no check digit is
    possible."""
    base = f"{int(number):07d}"
    check = ytunnus_check_digit(base)
    return None if check is None else f"{base}-{check}"


def is_valid_ytunnus(value):
    if len(value) != 9 or value[7] != "-" or not (value[:7] + value[8]).isdigit():
        return False
    return ytunnus_check_digit(value[:7]) == value[8]
