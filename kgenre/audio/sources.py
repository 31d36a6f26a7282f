"""The names of the signals a track can carry: its mix and its four stems.

One home for the stem names, importable without TensorFlow or Keras, so that the separators
(`kgenre.stems`), the records (`kgenre.data`) and model files (`kgenre.inference`) agree.
"""

STEM_NAMES = ("bass", "drums", "other", "vocals")
"""Stems every separator returns and records can hold: Spleeter 4stems' instruments
(Hennequin et al. 2019), the split Mersy 2021 builds on."""

SOURCES = ("mix", *STEM_NAMES)
"""What a model input can be computed from: the mix itself or one of the stems."""
