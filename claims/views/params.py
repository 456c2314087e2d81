"""Parsing of identifiers that arrive in query strings and form fields."""


def parse_id(value, *, default=None):
    """A positive database id from user input, or `default`.

    ASCII digits only (str.isdigit() accepts '²', which int() refuses) and at
    most 18 of them, so the number fits a 64-bit column on every database.
    """
    value = (value or "").strip()
    if value.isascii() and value.isdigit() and len(value) <= 18 and int(value) > 0:
        return int(value)
    return default
