"""Robustness benchmark renderers that restora's training never sees.

Written independently of ``restora.data`` (other formulas, other parameter ranges) so that a
detector trained on restora's generators is measured on prints it did not learn the quirks of:

* :mod:`.tones` — print tones old photos come in (``TONES``),
* :mod:`.damage` — a second damage generator with a visibility-defined mask (``DAMAGE_KINDS``),
* :mod:`.conditions` — scanning / print conditions applied after the damage (``CONDITIONS``),
* :mod:`.photos` — held-out photo lists (``selection`` / ``report`` splits) and toned faces,
* :mod:`.evaluate` — rendering one benchmark case and scoring masks.

Every renderer takes and returns a float32 RGB photo ``(H, W, 3)`` numpy array in [0, 1] and a
``numpy.random.Generator``; nothing here imports restora's training code, and restora never
imports this package (it lives outside ``src/``).
"""
