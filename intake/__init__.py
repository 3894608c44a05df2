"""Reading of uploaded files before any domain sees them: cost bounds, decoding, text hygiene."""


class FileRefused(ValueError):
    """A file refused before or while reading it, explained in French (what is wrong, what to do)."""
