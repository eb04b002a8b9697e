"""Rules of the Python builtins that numeric code uses on numbers and arrays:
``max``, ``min``, ``abs``, ``sum`` and ``float``."""
